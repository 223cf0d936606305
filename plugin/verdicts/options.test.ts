/** Every --since (verdicts, audit test, gen, flows export, verify) reads durations with one grammar. */
import { describe, expect, it } from 'vitest';
import { parseDuration } from './options.js';

describe('parseDuration (--since)', () => {
  it.each([
    { text: '90s', ms: 90_000 },
    { text: '15m', ms: 900_000 },
    { text: '7d', ms: 604_800_000 },
    // Compound and fractional durations, as --min-quiet has always taken them.
    { text: '1h30m', ms: 5_400_000 },
    { text: '1.5h', ms: 5_400_000 },
    { text: '1d12h', ms: 129_600_000 },
    { text: ' 2h ', ms: 7_200_000 },
  ])('$text is $ms ms', ({ text, ms }) => {
    expect(parseDuration('--since', text)).toBe(ms);
  });

  it.each(['0', '0m', '-1h', '1 hour', 'yesterday', '', '1h-30m', 'h'])('%j is refused, naming the flag', (text) => {
    expect(() => parseDuration('--since', text)).toThrow(`--since: ${JSON.stringify(text)} is not a duration; use numbers with s, m, h or d, such as 15m, 1h30m or 7d`);
  });
});
