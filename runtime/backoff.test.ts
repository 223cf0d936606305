import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';

describe('backoffMs', () => {
  it.each([
    { title: 'the first failure waits the initial delay', failures: 1, expected: 500 },
    { title: 'each further failure doubles it', failures: 2, expected: 1000 },
    { title: 'fourth failure', failures: 4, expected: 4000 },
    { title: 'the cap holds', failures: 7, expected: 30_000 },
    // A loop that counts from 0 before its first failure gets the initial delay, not half of it.
    { title: 'zero failures is treated as the first', failures: 0, expected: 500 },
    { title: 'a huge count neither overflows nor passes the cap', failures: 10_000, expected: 30_000 },
  ])('$title', ({ failures, expected }) => {
    expect(backoffMs(failures, { initialMs: 500, maxMs: 30_000 })).toBe(expected);
  });
});

describe('backoffMs with jitter', () => {
  const b = { initialMs: 1000, maxMs: 8000 };

  it.each([
    { title: 'a draw of 0 takes nothing off', jitter: 0.5, failures: 2, random: 0, expected: 2000 },
    { title: 'half jitter, middle draw', jitter: 0.5, failures: 2, random: 0.5, expected: 1500 },
    { title: 'half jitter, top draw: just over half', jitter: 0.5, failures: 2, random: 0.999, expected: 1001 },
    { title: 'full jitter, middle draw', jitter: 1, failures: 3, random: 0.5, expected: 2000 },
    { title: 'jitter applies under the cap', jitter: 0.5, failures: 20, random: 0.5, expected: 6000 },
    { title: 'a jitter above 1 is read as 1', jitter: 3, failures: 1, random: 0.25, expected: 750 },
    { title: 'a negative jitter is read as none', jitter: -1, failures: 1, random: 0.9, expected: 1000 },
    { title: 'a random source out of range is clamped', jitter: 0.5, failures: 1, random: 7, expected: 500 },
  ])('$title', ({ jitter, failures, random, expected }) => {
    expect(backoffMs(failures, { ...b, jitter }, () => random)).toBe(expected);
  });

  it('without jitter never draws a random number', () => {
    const random = (): number => {
      throw new Error('drawn');
    };
    expect(backoffMs(3, b, random)).toBe(4000);
  });

  it.each([
    { jitter: 0.5, failures: 1 },
    { jitter: 0.5, failures: 4 },
    { jitter: 1, failures: 2 },
    { jitter: 0.2, failures: 10 },
  ])('stays within (delay × (1 − $jitter), delay] over many draws (failure $failures)', ({ jitter, failures }) => {
    const delay = backoffMs(failures, b);
    const seen = Array.from({ length: 2000 }, () => backoffMs(failures, { ...b, jitter }));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(Math.round(delay * (1 - jitter)));
    expect(Math.max(...seen)).toBeLessThanOrEqual(delay);
    // The draws spread: a jitter that was ignored would give one value.
    expect(new Set(seen).size).toBeGreaterThan(1);
  });
});
