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
