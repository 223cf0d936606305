import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortableSleep } from './abortable-sleep.js';

/** Whether `p` has settled once pending microtasks ran (fake timers: no time passes). */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => { done = true; });
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('abortableSleep', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('waits the whole delay when nothing aborts', async () => {
    const p = abortableSleep(1000, new AbortController().signal);
    expect(await settled(p)).toBe(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(p)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(p)).toBe(true);
  });

  it('ends when the signal aborts during the wait', async () => {
    const stop = new AbortController();
    const p = abortableSleep(60_000, stop.signal);
    expect(await settled(p)).toBe(false);
    stop.abort();
    expect(await settled(p)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not wait at all when the signal was aborted before the call', async () => {
    const stop = new AbortController();
    stop.abort();
    expect(await settled(abortableSleep(60_000, stop.signal))).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no abort listener behind once the delay passed', async () => {
    const signal = new AbortController().signal;
    const remove = vi.spyOn(signal, 'removeEventListener');
    const p = abortableSleep(10, signal);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settled(p)).toBe(true);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});
