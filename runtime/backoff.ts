/**
 * The one backoff formula of the daemons and the plugin: capped exponential, doubling from
 * `initialMs` with each consecutive failure. Loops count their failures and ask here how long to
 * wait, so the growth and the cap are written once.
 */

export interface Backoff {
  /** The wait after the first failure. */
  initialMs: number;
  /** No wait is longer than this. */
  maxMs: number;
}

/** The exponent stops growing here: 2 ** 30 times any initial wait is past every cap in use. */
const MAX_DOUBLINGS = 30;

/** How long to wait after the `failures`-th consecutive failure (1 for the first): initialMs, 2×, 4×, … up to maxMs. */
export function backoffMs(failures: number, b: Backoff): number {
  const doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
  return Math.min(b.initialMs * 2 ** doublings, b.maxMs);
}
