/**
 * The one backoff formula of the daemons and the plugin: capped exponential, doubling from
 * `initialMs` with each consecutive failure, optionally jittered. Loops count their failures and
 * ask here how long to wait, so the growth, the cap and the jitter are written once.
 *
 * Jitter spreads the retries of many clients that failed together (every broker replica losing
 * the evaluator at once), so they do not all come back in the same instant. The random source is
 * a parameter so tests can pin it.
 */

export interface Backoff {
  /** The wait after the first failure. */
  initialMs: number;
  /** No wait is longer than this. */
  maxMs: number;
  /**
   * The share of each wait drawn at random, 0 to 1: 0.5 waits between half and all of the
   * delay, 1 anywhere up to it. No jitter when absent, so a loop's waits stay exactly as written.
   */
  jitter?: number;
}

/** A uniform draw from [0, 1), like Math.random. */
export type Random = () => number;

/** The exponent stops growing here: 2 ** 30 times any initial wait is past every cap in use. */
const MAX_DOUBLINGS = 30;

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(Math.max(x, 0), 1) : 0);

/**
 * How long to wait after the `failures`-th consecutive failure (1 for the first): initialMs, 2×,
 * 4×, … up to maxMs; with jitter j, a wait in (d × (1 − j), d] for that delay d.
 */
export function backoffMs(failures: number, b: Backoff, random: Random = Math.random): number {
  const doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
  const delay = Math.min(b.initialMs * 2 ** doublings, b.maxMs);
  const jitter = clamp01(b.jitter ?? 0);
  if (jitter === 0) return delay;
  return Math.round(delay * (1 - jitter * clamp01(random())));
}
