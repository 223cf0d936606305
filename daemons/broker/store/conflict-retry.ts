/**
 * Transactions PostgreSQL aborted because of a concurrent one: a deadlock (SQLSTATE 40P01, one
 * of the transactions in a lock cycle is chosen to fail) or a serialization failure (40001).
 * Nothing of such a transaction was written, and run again it normally succeeds, so the store
 * runs it again a few times, after a short jittered pause (two transactions retried in step could
 * meet again). The store's statements lock rows in one order (flow-key.ts), so this is a net, not
 * the way deadlocks are handled. When the last attempt fails too, the error goes up and the app
 * answers 503 with Retry-After (middleware/broker-errors.ts): the client retries later.
 */
import { abortableSleep } from '../../../runtime/abortable-sleep.js';
import { backoffMs } from '../../../runtime/backoff.js';

const CONFLICT_SQLSTATES = new Set(['40001', '40P01']);

/** Attempts in all (the first one included) before a conflict is the caller's. */
export const CONFLICT_ATTEMPTS = 5;

/** True for an error that says the transaction lost to a concurrent one (worth running again). */
export function isTransactionConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONFLICT_SQLSTATES.has(code);
}

export interface ConflictRetryOptions {
  /** Attempts in all; default CONFLICT_ATTEMPTS. */
  attempts?: number;
  /** Waits before attempt `attempt` (2 for the first retry); default a jittered 5, 10, 20, 40 ms. */
  pause?: (attempt: number) => Promise<void>;
}

/** Runs `fn` a bounded number of times while it fails on a transaction conflict. */
export type RetryConflicts = <T>(fn: () => Promise<T>) => Promise<T>;

function jitteredPause(attempt: number): Promise<void> {
  const ms = backoffMs(attempt - 1, { initialMs: 5, maxMs: 50 });
  return abortableSleep(ms / 2 + Math.random() * (ms / 2));
}

export function conflictRetry(opts: ConflictRetryOptions = {}): RetryConflicts {
  const attempts = opts.attempts ?? CONFLICT_ATTEMPTS;
  const pause = opts.pause ?? jitteredPause;
  return async function retryConflicts<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= attempts || !isTransactionConflict(err)) throw err;
      }
      await pause(attempt + 1);
    }
  };
}
