import { describe, expect, it } from 'vitest';
import { decide, median, medianInterval, summarise } from '../../bench/lib/paired-ratios.js';

describe('median', () => {
  it.each([
    [[3], 3],
    [[1, 3], 2],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])('of %j is %d', (xs, m) => {
    expect(median(xs)).toBe(m);
  });
});

describe('medianInterval', () => {
  const sorted = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  // k and coverage from the binomial table: coverage = 1 - 2 P(B(n, 1/2) <= k - 1).
  it.each([
    { n: 4, confidence: 0.9, want: undefined },
    { n: 5, confidence: 0.9, want: { low: 1, high: 5, coverage: 1 - 2 / 32 } },
    { n: 6, confidence: 0.9, want: { low: 1, high: 6, coverage: 1 - 2 / 64 } },
    { n: 8, confidence: 0.9, want: { low: 2, high: 7, coverage: 1 - 18 / 256 } },
    { n: 10, confidence: 0.9, want: { low: 2, high: 9, coverage: 1 - 22 / 1024 } },
    { n: 10, confidence: 0.8, want: { low: 3, high: 8, coverage: 1 - 112 / 1024 } },
    { n: 12, confidence: 0.9, want: { low: 3, high: 10, coverage: 1 - 2 * (1 + 12 + 66) / 4096 } },
  ])('n=$n at $confidence', ({ n, confidence, want }) => {
    const got = medianInterval(sorted(n), confidence);
    if (want === undefined) {
      expect(got).toBeUndefined();
      return;
    }
    expect(got?.low).toBe(want.low);
    expect(got?.high).toBe(want.high);
    expect(got?.coverage).toBeCloseTo(want.coverage, 12);
    expect(got!.coverage).toBeGreaterThanOrEqual(confidence);
  });
});

describe('summarise and decide', () => {
  const pairs = (ratios: number[]): { a: number; b: number }[] => ratios.map((r) => ({ a: 2, b: 2 * r }));

  it('takes each pair as b over a, in order', () => {
    const s = summarise([{ a: 2, b: 3 }, { a: 4, b: 2 }, { a: 1, b: 1 }]);
    expect(s.ratios).toEqual([1.5, 0.5, 1]);
    expect(s.median).toBe(1);
    expect(s.min).toBe(0.5);
    expect(s.max).toBe(1.5);
  });

  it.each([
    { name: 'all well under the limit', ratios: [0.95, 1.0, 1.02, 1.03, 0.98, 1.05, 1.01, 0.99], higherIsWorse: true, want: 'met' },
    { name: 'one outlier above the limit', ratios: [0.95, 1.0, 1.02, 1.3, 0.98, 1.05, 1.01, 0.99], higherIsWorse: true, want: 'met' },
    { name: 'interval across the limit', ratios: [1.05, 1.08, 1.12, 1.15, 1.02, 1.11, 1.09, 1.14], higherIsWorse: true, want: 'undecided' },
    { name: 'all above the limit', ratios: [1.2, 1.25, 1.3, 1.15, 1.22, 1.18, 1.4, 1.21], higherIsWorse: true, want: 'missed' },
    { name: 'a rate that held', ratios: [0.97, 1.0, 1.02, 0.95, 0.98, 1.05, 1.01, 0.99], higherIsWorse: false, want: 'met' },
    { name: 'a rate that fell', ratios: [0.8, 0.82, 0.85, 0.79, 0.75, 0.88, 0.81, 0.83], higherIsWorse: false, want: 'missed' },
    { name: 'too few pairs', ratios: [1, 1, 1, 1], higherIsWorse: true, want: 'undecided' },
  ])('$name: $want', ({ ratios, higherIsWorse, want }) => {
    expect(decide(summarise(pairs(ratios)), 1.1, higherIsWorse)).toBe(want);
  });
});
