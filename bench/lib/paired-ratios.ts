/**
 * How a benchmark that alternates two modes (A, B, B, A, ...) decides a ratio in one run: each
 * alternation gives one ratio of B to A measured minutes apart under the same background load, and
 * the run reports their median with a distribution-free confidence interval (order statistics of
 * the ratios: the median of n ratios lies between the k-th smallest and the k-th largest with
 * probability 1 - 2 P(Binomial(n, 1/2) < k), whatever their distribution). A target is decided
 * when the whole interval is on one side of it; otherwise the run says it could not tell.
 */

export interface RatioSummary {
  /** Ratios in the order measured. */
  ratios: number[];
  median: number;
  min: number;
  max: number;
  /** The confidence interval of the median, and its exact coverage (0 to 1); undefined when too few ratios for it (4 or fewer at 90%). */
  interval: { low: number; high: number; coverage: number } | undefined;
}

export type Decision = 'met' | 'missed' | 'undecided';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** P(Binomial(n, 1/2) <= k). */
function binomialCdf(n: number, k: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * The narrowest order-statistic interval of the median whose coverage is at least `confidence`:
 * [x(k), x(n+1-k)] with the largest k such that 2 P(B <= k - 1) <= 1 - confidence.
 */
export function medianInterval(sorted: readonly number[], confidence = 0.9): RatioSummary['interval'] {
  const n = sorted.length;
  let k = 0;
  while (k + 1 <= n / 2 && 2 * binomialCdf(n, k) <= 1 - confidence) k++;
  if (k === 0) return undefined;
  return { low: sorted[k - 1]!, high: sorted[n - k]!, coverage: 1 - 2 * binomialCdf(n, k - 1) };
}

export function summarise(pairs: readonly { a: number; b: number }[], confidence = 0.9): RatioSummary {
  const ratios = pairs.map((p) => p.b / p.a);
  const sorted = [...ratios].sort((x, y) => x - y);
  return { ratios, median: median(ratios), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, interval: medianInterval(sorted, confidence) };
}

/**
 * Whether B stays within `limit` times A (`higherIsWorse`: a cost) or above 1 / `limit` times A (a
 * rate): decided only when the whole interval is on one side of the limit.
 */
export function decide(s: RatioSummary, limit: number, higherIsWorse = true): Decision {
  if (s.interval === undefined) return 'undecided';
  const { low, high } = s.interval;
  if (higherIsWorse) return high <= limit ? 'met' : low > limit ? 'missed' : 'undecided';
  return low >= 1 / limit ? 'met' : high < 1 / limit ? 'missed' : 'undecided';
}
