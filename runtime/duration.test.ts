/** The one duration grammar (flags, query look-backs, the evaluator's environment) and its Go spelling. */
import { describe, expect, it } from 'vitest';
import { goDuration, parseDuration } from './duration.js';

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
