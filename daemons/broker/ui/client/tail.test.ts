// The live tail's bookkeeping with a scripted event source: where each (re)connection resumes,
// that a row delivered twice (a replay after reconnecting) is shown once, and that only the
// newest rows are kept however many arrive.
import { describe, expect, it } from 'vitest';
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { Tail, type TailSource, type TailState } from './tail.js';

class FakeSource implements TailSource {
  readyState = 0;
  onopen: TailSource['onopen'] = null;
  onerror: TailSource['onerror'] = null;
  closed = false;
  private listener: ((ev: MessageEvent<string>) => void) | undefined;
  constructor(readonly url: string) {}
  addEventListener(_type: 'verdict', fn: (ev: MessageEvent<string>) => void): void {
    this.listener = fn;
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  emit(...ids: number[]): void {
    for (const id of ids) this.listener?.({ data: JSON.stringify({ id, verdict: 'WouldDeny' }), lastEventId: String(id) } as MessageEvent<string>);
  }
  /** The connection dropped and the browser gave up (an HTTP error): readyState CLOSED. */
  fail(): void {
    this.readyState = 2;
    (this.onerror as unknown as () => void)();
  }
}

function harness(max = 5): { tail: Tail; sources: FakeSource[]; shown: () => number[]; states: TailState[]; later: (() => void)[] } {
  const sources: FakeSource[] = [];
  let rows: readonly StoredVerdict[] = [];
  const states: TailState[] = [];
  const later: (() => void)[] = [];
  const tail = new Tail({
    url: (after) => `/stream${after === undefined ? '' : `?after_id=${after}`}`,
    max,
    accept: () => true,
    onRows: (r) => (rows = [...r]),
    onState: (s) => states.push(s),
    open: (url) => {
      const s = new FakeSource(url);
      sources.push(s);
      return s;
    },
    frame: (fn) => { fn(); },
    later: (fn) => later.push(fn),
  });
  return { tail, sources, shown: () => rows.map((r) => r.id), states, later };
}

describe('Tail', () => {
  it('starts at the newest verdict, then resumes after the last id seen when reopened', () => {
    const h = harness(100);
    h.tail.start();
    expect(h.sources[0]?.url).toBe('/stream');
    h.sources[0]?.emit(1, 2, 3);
    h.sources[0]?.fail();
    h.later.shift()?.();
    expect(h.sources[1]?.url).toBe('/stream?after_id=3');
    // The broker may replay what this client already has: shown once.
    h.sources[1]?.emit(2, 3, 4, 5);
    expect(h.shown()).toEqual([1, 2, 3, 4, 5]);
    expect(h.states).toEqual(['connecting', 'reconnecting']);
  });

  it('pauses by closing the stream and resumes after the last id, losing nothing', () => {
    const h = harness(100);
    h.tail.start();
    h.sources[0]?.emit(10, 11);
    h.tail.pause();
    expect(h.sources[0]?.closed).toBe(true);
    // A late event of the closed source is ignored.
    h.sources[0]?.emit(12);
    h.tail.resume();
    expect(h.sources[1]?.url).toBe('/stream?after_id=11');
    h.sources[1]?.emit(12, 13);
    expect(h.shown()).toEqual([10, 11, 12, 13]);
    expect(h.states).toEqual(['connecting', 'paused', 'connecting']);
  });

  it('keeps only the newest rows', () => {
    const h = harness(5);
    h.tail.start();
    h.sources[0]?.emit(...Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(h.shown()).toEqual([996, 997, 998, 999, 1000]);
  });

  it('lets the browser retry on its own while the source is not closed', () => {
    const h = harness();
    h.tail.start();
    const s = h.sources[0];
    if (!s) throw new Error('no source');
    s.readyState = 0;
    (s.onerror as unknown as () => void)();
    expect(h.sources).toHaveLength(1);
    expect(h.later).toHaveLength(0);
    expect(h.states.at(-1)).toBe('reconnecting');
  });

  it('opens nothing more once stopped', () => {
    const h = harness();
    h.tail.start();
    h.sources[0]?.fail();
    h.tail.stop();
    h.later.shift()?.();
    expect(h.sources).toHaveLength(1);
  });
});
