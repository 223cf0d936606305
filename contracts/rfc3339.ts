/**
 * RFC 3339 times as the API takes them (`2026-01-02T15:04:05Z`, `...05.123+01:00`), refused when
 * the calendar has no such moment. Date.parse alone shifts impossible dates instead of refusing
 * them (2026-02-30 becomes March 2, 2026-11-31 becomes December 1, 24:00 the next day), so the
 * fields are checked first. Leap seconds (:60) are refused: JavaScript time has none.
 */

/** The pattern, for the OpenAPI document and for the checks below. */
export const RFC3339_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
export const RFC3339_MAX_LENGTH = 40;

const PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Milliseconds since the epoch, or NaN when `s` is not an RFC 3339 time of a real calendar day. */
export function parseRfc3339(s: string): number {
  if (s.length > RFC3339_MAX_LENGTH) return NaN;
  const m = PARTS.exec(s);
  if (m === null) return NaN;
  const [year, month, day, hour, minute, second, offHour, offMinute] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [
    number, number, number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59 || offHour > 23 || offMinute > 59) return NaN;
  return Date.parse(s);
}
