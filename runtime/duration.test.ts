/** The one duration grammar (flags, query look-backs, the evaluator's environment) and its Go spelling. */
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, goDuration, parseDuration, POSITIVE_DURATION_PATTERN } from './duration.js';

describe('parseDuration', () => {
  it.each([
    { text: '15m', ms: 900_000 },
    { text: '1h30m', ms: 5_400_000 },
    { text: '1.5h', ms: 5_400_000 },
    { text: '7d', ms: 604_800_000 },
    { text: '1d12h', ms: 129_600_000 },
    { text: '250ms', ms: 250 },
    { text: '0', ms: 0 },
    { text: '', ms: undefined },
    { text: '10', ms: undefined },
    { text: '-1s', ms: undefined },
    { text: '1h 30m', ms: undefined },
    { text: '5x', ms: undefined },
    { text: '1.h', ms: undefined },
  ])('$text is $ms ms', ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('goDuration', () => {
  it.each([
    { text: '1h30m', go: '1h30m' },
    { text: '90m', go: '90m' },
    { text: '250ms', go: '250ms' },
    { text: '1d', go: '24h' },
    { text: '1.5d', go: '36h' },
    { text: '1d1m1s', go: '24h1m1s' },
    { text: '2µs', go: '0s' },
  ])('$text is $go', ({ text, go }) => {
    expect(goDuration(text, parseDuration(text)!)).toBe(go);
  });
});

describe('the grammar as patterns (for the broker\'s OpenAPI document)', () => {
  const any = new RegExp(DURATION_PATTERN, 'u');
  const positive = new RegExp(POSITIVE_DURATION_PATTERN, 'u');

  it.each([
    { text: '15m', reads: true, positive: true },
    { text: '1h30m', reads: true, positive: true },
    { text: '1.5h', reads: true, positive: true },
    { text: '1d12h', reads: true, positive: true },
    { text: '1ms', reads: true, positive: true },
    { text: '2µs', reads: true, positive: true },
    // Zero parts before a non-zero one, and a zero after it.
    { text: '0h15m', reads: true, positive: true },
    { text: '1h0m', reads: true, positive: true },
    { text: '0.5s', reads: true, positive: true },
    { text: '0.0001ns', reads: true, positive: true },
    // Zero however it is spelled: a look-back or window of nothing.
    { text: '0', reads: true, positive: false },
    { text: '0ns', reads: true, positive: false },
    { text: '0s', reads: true, positive: false },
    { text: '00.000h0m', reads: true, positive: false },
    { text: '', reads: false, positive: false },
    { text: '10', reads: false, positive: false },
    { text: '-1s', reads: false, positive: false },
    { text: '1.h', reads: false, positive: false },
    { text: '1h 30m', reads: false, positive: false },
  ])('$text: read $reads, more than zero $positive', ({ text, reads, positive: more }) => {
    expect(any.test(text)).toBe(reads);
    expect(positive.test(text)).toBe(more);
    expect(parseDuration(text) !== undefined).toBe(reads);
    expect((parseDuration(text) ?? 0) > 0).toBe(more);
  });

  it('agrees with parseDuration on every short text of its alphabet', () => {
    const alphabet = ['0', '1', '.', 's', 'm', 'h', 'd', 'n', 'u', 'µ', 'x'];
    const texts = [''];
    let level = [''];
    for (let len = 1; len <= 4; len++) {
      level = level.flatMap((t) => alphabet.map((c) => t + c));
      texts.push(...level);
    }
    const disagreeing = texts.filter((t) => {
      const ms = parseDuration(t);
      return any.test(t) !== (ms !== undefined) || positive.test(t) !== (ms !== undefined && ms > 0);
    });
    expect(disagreeing).toEqual([]);
  });
});
