/**
 * A time bound is what the broker reads: isTimeBound (the web view's check and the OpenAPI
 * pattern) agrees with the broker's query reader on every row, both the kept and the refused.
 */
import { describe, expect, it } from 'vitest';
import { QueryReader } from '../daemons/broker/api/query-params.js';
import { isTimeBound, TIME_BOUND_MAX_LENGTH } from './time-bound.js';

function brokerTakes(text: string): boolean {
  try {
    return new QueryReader({ since: [text] }, new Date('2026-12-03T12:00:00Z')).time('since') !== undefined;
  } catch {
    return false;
  }
}

describe('isTimeBound', () => {
  it.each([
    { text: '15m', bound: true },
    { text: '1h30m', bound: true },
    { text: '1.5h', bound: true },
    { text: '7d', bound: true },
    { text: '0h90s', bound: true },
    { text: '1ns', bound: true },
    { text: '999999d', bound: true },
    { text: '2026-01-02T15:04:05Z', bound: true },
    { text: '2024-02-29T00:00:00.123456789-05:30', bound: true },
    { text: `${'0'.repeat(TIME_BOUND_MAX_LENGTH - 2)}1h`, bound: true },
    { text: `${'0'.repeat(TIME_BOUND_MAX_LENGTH - 1)}1h`, bound: false },
    { text: '0', bound: false },
    { text: '0s', bound: false },
    { text: '0h0m', bound: false },
    { text: '', bound: false },
    { text: '15', bound: false },
    { text: '1w', bound: false },
    { text: '-15m', bound: false },
    { text: '1h 30m', bound: false },
    { text: '2026-02-29T00:00:00Z', bound: false },
    { text: '2026-01-02T24:00:00Z', bound: false },
    { text: '2026-01-02T15:04:05', bound: false },
    { text: 'yesterday', bound: false },
  ])('$text: $bound, as the broker reads it', ({ text, bound }) => {
    expect(isTimeBound(text)).toBe(bound);
    expect(brokerTakes(text)).toBe(bound);
  });
});
