/**
 * The primitives of the hand-written fast validators (flow-fast-check.ts for the flow batch,
 * evaluate-request.ts for the evaluate request): each accepts exactly what the matching zod rule
 * accepts, without building an issue, so a valid body costs a few comparisons per field. Written
 * once so the two validators cannot drift apart on what an integer or a time is.
 */
import { parseRfc3339 } from './rfc3339.js';

export type Obj = Record<string, unknown>;

/** A plain object (not null, not an array), as `z.object` takes it. */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer within [min, max], as `z.int().min(min).max(max)` takes it. */
export function isInt(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Absent, or a string of min..max characters matching `re` when one is given. */
export function optString(v: unknown, min: number, max: number, re?: RegExp): boolean {
  if (v === undefined) return true;
  return typeof v === 'string' && v.length >= min && v.length <= max && (re === undefined || re.test(v));
}

// Senders repeat the same few timestamps (one flush or one request, many flows): remember them.
// Bounded, and cleared when full rather than evicted one by one: the next flush refills it.
const MAX_REMEMBERED_TIMES = 4096;
const recentTimes = new Map<string, number>();

/** Milliseconds of an RFC 3339 time as parseRfc3339 reads it; NaN when `v` is not one. */
export function timeMs(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const known = recentTimes.get(v);
  if (known !== undefined) return known;
  const ms = parseRfc3339(v);
  if (recentTimes.size >= MAX_REMEMBERED_TIMES) recentTimes.clear();
  recentTimes.set(v, ms);
  return ms;
}
