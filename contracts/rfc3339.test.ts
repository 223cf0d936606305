/** RFC 3339 times: real calendar moments only; Date.parse would shift the impossible ones. */
import { describe, expect, it } from 'vitest';
import { parseRfc3339, RFC3339_PATTERN } from './rfc3339.js';

describe('parseRfc3339', () => {
  it.each([
    { s: '2026-01-02T15:04:05Z', ms: Date.UTC(2026, 0, 2, 15, 4, 5) },
    { s: '2026-01-02T15:04:05.123+01:00', ms: Date.UTC(2026, 0, 2, 14, 4, 5, 123) },
    { s: '2028-02-29T00:00:00Z', ms: Date.UTC(2028, 1, 29) }, // a leap year
    { s: '2000-02-29T00:00:00Z', ms: Date.UTC(2000, 1, 29) }, // a multiple of 400
    { s: '0000-02-29T00:00:00Z', ms: Date.parse('0000-02-29T00:00:00Z') }, // year 0 is one too (Date.UTC would read it as 1900)
    { s: '2026-12-31T23:59:59.999999999-23:59', ms: Date.parse('2026-12-31T23:59:59.999999999-23:59') },
  ])('reads $s', ({ s, ms }) => {
    expect(parseRfc3339(s)).toBe(ms);
  });

  it.each([
    '2026-02-30T00:00:00Z', // Date.parse: March 2
    '2026-11-31T00:00:00Z', // Date.parse: December 1
    '2026-02-29T00:00:00Z', // not a leap year
    '1900-02-29T00:00:00Z', // a century not a multiple of 400
    '0000-00-00T00:00:00Z',
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

  // The OpenAPI document's pattern is what a schema-driven client builds times from: it must
  // accept exactly the times the broker reads, day by day over leap and common years.
  it('the pattern of the OpenAPI document accepts exactly what parseRfc3339 reads', () => {
    const pattern = new RegExp(RFC3339_PATTERN);
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    const disagree: string[] = [];
    const check = (s: string): void => {
      if (pattern.test(s) !== !Number.isNaN(parseRfc3339(s))) disagree.push(s);
    };
    for (const year of [0, 4, 100, 400, 1900, 1996, 2000, 2023, 2024, 2026, 2100, 9999])
      for (let month = 0; month <= 13; month++) for (let day = 0; day <= 32; day++) check(`${pad(year, 4)}-${pad(month)}-${pad(day)}T12:00:00Z`);
    for (const [h, m, sec] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [23, 60, 0], [23, 59, 60], [99, 0, 0]])
      for (const zone of ['Z', '+00:00', '-23:59', '+24:00', '+12:60', '+1:00', 'z', ''])
        for (const frac of ['', '.1', '.123456789', '.1234567890', '.']) check(`2026-06-15T${pad(h ?? 0)}:${pad(m ?? 0)}:${pad(sec ?? 0)}${frac}${zone}`);
    expect(disagree).toEqual([]);
  });
});
