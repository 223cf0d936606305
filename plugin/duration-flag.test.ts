/** Every duration flag (--since, --holdout, --min-quiet, --verify) reads one grammar, more than zero, and says which flag and value were wrong. */
import { describe, expect, it } from 'vitest';
import { durationFlag } from './duration-flag.js';

describe('durationFlag', () => {
  it.each([
    { text: '90s', ms: 90_000 },
    { text: '15m', ms: 900_000 },
    { text: '7d', ms: 604_800_000 },
    // Compound and fractional durations, as --min-quiet has always taken them.
    { text: '1h30m', ms: 5_400_000 },
    { text: '1.5h', ms: 5_400_000 },
    { text: '1d12h', ms: 129_600_000 },
    { text: ' 2h ', ms: 7_200_000 },
    // Given twice: the last one, as kubectl's flags.
    { text: ['1h', '2h'], ms: 7_200_000 },
  ])('$text is $ms ms', ({ text, ms }) => {
    expect(durationFlag('--since', text)).toBe(ms);
  });

  it.each([
    { text: '-1h', shown: '-1h' },
    { text: '1 hour', shown: '1 hour' },
    { text: 'yesterday', shown: 'yesterday' },
    { text: '', shown: '' },
    { text: '1h-30m', shown: '1h-30m' },
    { text: 'h', shown: 'h' },
    { text: '1x', shown: '1x' },
    { text: ['1h', 'soon'], shown: 'soon' },
  ])('$text is not a duration: the flag, the value and the grammar', ({ text, shown }) => {
    expect(() => durationFlag('--min-quiet', text)).toThrow(`--min-quiet: ${JSON.stringify(shown)} is not a duration; use numbers with s, m, h or d, such as 15m, 1h30m or 7d`);
  });

  it.each(['0', '0s', '0m', '0h0m'])('%j is a duration, but zero: it must be greater than zero', (text) => {
    expect(() => durationFlag('--since', text)).toThrow(`--since: ${JSON.stringify(text)} is zero; it must be greater than zero, such as 15m, 1h30m or 7d`);
  });
});
