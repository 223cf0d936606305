/**
 * RFC 3339 times as the API takes them (`2026-01-02T15:04:05Z`, `...05.123+01:00`), refused when
 * the calendar has no such moment. Date.parse alone shifts impossible dates instead of refusing
 * them (2026-02-30 becomes March 2, 2026-11-31 becomes December 1, 24:00 the next day), so the
 * fields are checked first. Leap seconds (:60) are refused: JavaScript time has none.
 */

/**
 * The pattern of the OpenAPI document: calendar-exact, so a schema-driven client never builds a
 * time the broker refuses (or the reverse). Days by month, February 29 in leap years only: the
 * last two digits of the year a multiple of 4 but not 00, or the first two a multiple of 4 (2000,
 * not 1900). Hours 00-23, minutes and seconds 00-59, zone offsets up to 23:59. rfc3339.test.ts
 * checks it against parseRfc3339 day by day.
 */
const DAY = '(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31';
const LEAP_YEAR = '\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00';
const DATE = `(?:\\d{4}-(?:${DAY})|(?:${LEAP_YEAR})-02-29)`;
const CLOCK = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?';
const ZONE = '(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)';
export const RFC3339_PATTERN = `^${DATE}T${CLOCK}${ZONE}$`;
export const RFC3339_MAX_LENGTH = 40;

const PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999 (and 1900 has no February 29).
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
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
