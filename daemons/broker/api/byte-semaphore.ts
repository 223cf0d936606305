/**
 * A semaphore weighted in bytes, first come first served. The work on a large body (parse,
 * validation, aggregation, its write) costs memory and event-loop time in proportion to its
 * size; holding a body's bytes here for that whole work bounds both, whatever the number of
 * bodies that arrive at once: the others wait as the buffered text they already are.
 *  - A weight above the capacity counts as the capacity: such a body runs alone, never forever
 *    refused.
 *  - Waiters are served in arrival order: a small body never overtakes a large one that waits
 *    for room (which could otherwise wait forever under a stream of small ones).
 *  - A waiter whose signal aborts (its client went away) leaves the queue at once, and the next
 *    ones may then start.
 */
import { HttpError } from '../../../runtime/http-error.js';

/** Gives the bytes back; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  weight: number;
  grant(): void;
}

export class ByteSemaphore {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new Error(`ByteSemaphore: capacity must be positive, got ${capacity}`);
  }

  /** Bytes held now. */
  get held(): number {
    return this.used;
  }

  /** Waiters in the queue. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves once `bytes` fit beside what is held and every earlier waiter was served. */
  acquire(bytes: number, signal?: AbortSignal): Promise<Release> {
    const weight = Math.min(Math.max(0, bytes), this.capacity);
    if (signal?.aborted) return Promise.reject(gone());
    if (this.waiting.length === 0 && this.used + weight <= this.capacity) {
      this.used += weight;
      return Promise.resolve(this.releaser(weight));
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i === -1) return;
        this.waiting.splice(i, 1);
        this.wake(); // the head leaving may make room for the next
        reject(gone());
      };
      const waiter: Waiter = {
        weight,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.used += weight;
          resolve(this.releaser(weight));
        },
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `work` holding `bytes`, released however it ends. */
  async run<T>(bytes: number, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(bytes, signal);
    try {
      return await work();
    } finally {
      release();
    }
  }

  private releaser(weight: number): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= weight;
      this.wake();
    };
  }

  private wake(): void {
    for (let w = this.waiting[0]; w !== undefined && this.used + w.weight <= this.capacity; w = this.waiting[0]) {
      this.waiting.shift();
      w.grant();
    }
  }
}

/** A client that left while waiting: nobody reads this answer, and it is no server error. */
function gone(): HttpError {
  return new HttpError(503, 'the client closed the connection while its body waited to be processed');
}

/** Resolves in a later turn of the event loop, after the I/O (requests, probes) already due. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
