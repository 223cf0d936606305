/** RFC 3339 times: real calendar moments only; Date.parse would shift the impossible ones. */
import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from './rfc3339.js';

describe('parseRfc3339', () => {
  it.each([
    { s: '2026-01-02T15:04:05Z', ms: Date.UTC(2026, 0, 2, 15, 4, 5) },
    { s: '2026-01-02T15:04:05.123+01:00', ms: Date.UTC(2026, 0, 2, 14, 4, 5, 123) },
    { s: '2028-02-29T00:00:00Z', ms: Date.UTC(2028, 1, 29) }, // a leap year
    { s: '2026-12-31T23:59:59.999999999-23:59', ms: Date.parse('2026-12-31T23:59:59.999999999-23:59') },
  ])('reads $s', ({ s, ms }) => {
    expect(parseRfc3339(s)).toBe(ms);
  });

  it.each([
    '2026-02-30T00:00:00Z', // Date.parse: March 2
    '2026-11-31T00:00:00Z', // Date.parse: December 1
    '2026-02-29T00:00:00Z', // not a leap year
    '2026-04-31T10:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-01T24:00:00Z', // Date.parse: the next day
    '2026-01-01T23:60:00Z',
    '2026-01-01T23:59:60Z', // a leap second
    '2026-01-01T10:00:00+24:00',
    '2026-01-01T10:00:00',
    '2026-01-01 10:00:00Z',
    '2026-01-01t10:00:00z',
    `2026-01-01T10:00:00.${'1'.repeat(30)}Z`,
  ])('refuses %s', (s) => {
    expect(parseRfc3339(s)).toBeNaN();
  });
});
