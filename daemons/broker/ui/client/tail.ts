/**
 * The live tail: the broker's verdict stream (server-sent events, each event's id the verdict's
 * id). The browser's EventSource reconnects by itself sending Last-Event-ID, and the broker
 * resumes after it; when the source gives up (an HTTP error), the tail opens a new one with
 * after_id. Pause closes the stream and resume reopens it after the last id seen, so nothing is
 * lost while paused and nothing is shown twice (ids at or below the last are dropped). Only the
 * newest `max` rows are kept: memory stays bounded at any rate.
 */
import type { StoredVerdict } from '../../../../contracts/web-view.js';

export type TailState = 'connecting' | 'live' | 'paused' | 'reconnecting';

export interface TailSource {
  readyState: number;
  onopen: ((this: never, ev: Event) => unknown) | null;
  onerror: ((this: never, ev: Event) => unknown) | null;
  addEventListener(type: 'verdict', fn: (ev: MessageEvent<string>) => void): void;
  close(): void;
}

export interface TailOptions {
  /** The stream URL; afterId undefined: start at the newest verdict. */
  url(afterId: number | undefined): string;
  max: number;
  /** Called at most once per animation frame with every row kept, oldest first. */
  onRows(rows: readonly StoredVerdict[], received: number): void;
  onState(s: TailState): void;
  /** Which rows to keep (the page's own filters). */
  accept(v: StoredVerdict): boolean;
  open?: (url: string) => TailSource;
  /** Schedules a render; default requestAnimationFrame. */
  frame?: (fn: () => void) => void;
  /** Schedules a reopen after the source gave up; default setTimeout 1 s. */
  later?: (fn: () => void) => void;
}

const CLOSED = 2;

export class Tail {
  private source: TailSource | undefined;
  private rows: StoredVerdict[] = [];
  private lastId: number | undefined;
  private received = 0;
  private pending = false;
  private paused = false;
  private stopped = false;

  constructor(private readonly opts: TailOptions) {}

  get last(): number | undefined {
    return this.lastId;
  }

  start(): void {
    this.connect('connecting');
  }

  pause(): void {
    this.paused = true;
    this.source?.close();
    this.source = undefined;
    this.opts.onState('paused');
  }

  resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    this.connect('connecting');
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = undefined;
  }

  /** Takes one stream event: drops ids already seen, keeps the row if the page's filters accept it. */
  private take(data: string, id: string): void {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || (this.lastId !== undefined && n <= this.lastId)) return;
    this.lastId = n;
    this.received++;
    const v = JSON.parse(data) as StoredVerdict;
    if (!this.opts.accept(v)) return;
    this.rows.push(v);
    if (this.rows.length > this.opts.max * 2) this.rows = this.rows.slice(-this.opts.max);
    this.flush();
  }

  private flush(): void {
    if (this.pending) return;
    this.pending = true;
    (this.opts.frame ?? requestAnimationFrame)(() => {
      this.pending = false;
      if (this.rows.length > this.opts.max) this.rows = this.rows.slice(-this.opts.max);
      this.opts.onRows(this.rows, this.received);
    });
  }

  private connect(state: TailState): void {
    if (this.stopped || this.paused) return;
    this.opts.onState(state);
    const open = this.opts.open ?? ((url: string): TailSource => new EventSource(url));
    const s = open(this.opts.url(this.lastId));
    this.source = s;
    s.onopen = () => {
      if (this.source === s) this.opts.onState('live');
    };
    s.onerror = () => {
      if (this.source !== s) return;
      if (s.readyState !== CLOSED) {
        this.opts.onState('reconnecting');
        return;
      }
      s.close();
      this.source = undefined;
      (this.opts.later ?? ((fn: () => void) => setTimeout(fn, 1000)))(() => {
        this.connect('reconnecting');
      });
    };
    s.addEventListener('verdict', (ev) => {
      if (this.source === s) this.take(ev.data, ev.lastEventId);
    });
  }
}
