/**
 * Query-string parsing for the read endpoints. Every parameter is checked, and a bad one gives a
 * 400 naming it; unknown parameters are refused too, so a typo (`?namepsace=prod`) is an error
 * rather than a silently unfiltered answer. Times are RFC 3339 or a look-back such as `15m` or `1h30m`;
 * look-backs and windows are the one duration grammar of runtime/duration.ts, as the plugin's flags
 * are, and more than zero (the last 0s is nothing to read).
 */
import { DIRECTIONS, type Direction, type Verdict } from '../../../policy/types.js';
import type { VerdictFilter } from '../store/types.js';
import { FLOW_STATES, type FlowObservation } from '../../../contracts/flow-batch.js';
import { badRequest } from '../../../runtime/http-error.js';
import { parseRfc3339, RFC3339_MAX_LENGTH } from '../../../contracts/rfc3339.js';
import { parseDuration } from '../../../runtime/duration.js';

/** The longest duration text read: a look-back is held to the length of a time, a window too. */
export const DURATION_MAX_LENGTH = RFC3339_MAX_LENGTH;
const VERDICTS: readonly Verdict[] = ['Allow', 'WouldDeny'];
const GENERATIONS = ['all', 'latest'] as const;

/** The raw query: each name with all its values (a repeated name is an error). */
export type RawQuery = Record<string, string[]>;

/** Reads one parameter; refuses unknown and repeated ones as it goes. */
export class QueryReader {
  private readonly seen = new Set<string>();

  constructor(private readonly raw: RawQuery, private readonly now: Date) {}

  /** The value of `name`, undefined when absent. Present-and-empty is '' (it matters for namespace). */
  get(name: string): string | undefined {
    this.seen.add(name);
    const values = this.raw[name];
    if (values === undefined) return undefined;
    if (values.length > 1) throw badRequest(name, `${name} is given more than once`);
    return values[0];
  }

  /** Call after reading every known parameter. */
  rejectUnknown(): void {
    const unknown = Object.keys(this.raw).find((k) => !this.seen.has(k));
    if (unknown !== undefined) throw badRequest(unknown, `unknown query parameter ${JSON.stringify(unknown)}`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw badRequest(name, `${name} must be one of ${allowed.join(', ')}`);
    return v as T;
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const n = /^\d{1,16}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw badRequest(name, `${name} must be an integer from ${min} to ${max}`);
    return n;
  }

  /** A duration such as `90s`, `15m`, `1h30m`, `7d`, in milliseconds: more than zero, at most `maxMs`. */
  duration(name: string, maxMs: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const ms = positiveDuration(v);
    if (ms === undefined || ms > maxMs) throw badRequest(name, `${name} must be a duration of more than zero such as 15m, 1h30m or 7d, at most ${maxMs / 86_400_000} days`);
    return ms;
  }

  /**
   * An RFC 3339 time, or a duration meaning that long before now. Held within years 1 to 9999
   * (UTC), which PostgreSQL's timestamptz stores: a bound further out (`999999d`, a year-0001
   * time with a positive offset, which is year 0 in UTC) selects the same rows as the limit.
   */
  time(name: string): Date | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const rel = positiveDuration(v);
    if (rel !== undefined) return new Date(clampTime(this.now.getTime() - rel));
    const ms = parseRfc3339(v);
    if (Number.isNaN(ms)) throw badRequest(name, `${name} must be an RFC 3339 time of a real date (2026-01-02T15:04:05Z) or a look-back of more than zero such as 15m, 1h30m or 7d`);
    return new Date(clampTime(ms));
  }

  /** A Kubernetes object uid (a UUID in practice; any [A-Za-z0-9-] up to 64 characters). */
  uid(param: string): string | undefined {
    const v = this.get(param);
    if (v === undefined) return v;
    if (!/^[A-Za-z0-9-]{1,64}$/.test(v)) throw badRequest(param, `${param} must be a Kubernetes uid`);
    return v;
  }

  /** A Kubernetes object name (DNS subdomain), or '' where `allowEmpty`. */
  name(param: string, allowEmpty: boolean): string | undefined {
    const v = this.get(param);
    if (v === undefined || (v === '' && allowEmpty)) return v;
    if (v.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v)) throw badRequest(param, `${param} must be a Kubernetes name`);
    return v;
  }
}

const EARLIEST_MS = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

function clampTime(ms: number): number {
  return Math.min(LATEST_MS, Math.max(EARLIEST_MS, ms));
}

/**
 * Whole milliseconds of a duration of more than zero, within DURATION_MAX_LENGTH; undefined for
 * anything else. Rounded up: the broker's times are milliseconds, and a look-back of `1ns` must
 * still be before now (on /v1/enforcement, before its default until), as the document promises.
 */
function positiveDuration(v: string): number | undefined {
  const ms = v.length <= DURATION_MAX_LENGTH ? parseDuration(v) : undefined;
  return ms !== undefined && ms > 0 ? Math.ceil(ms) : undefined;
}

/** The filters shared by the verdict list, stream and summary. */
export function readVerdictFilter(q: QueryReader): VerdictFilter {
  const f: VerdictFilter = {
    policy: q.name('policy', false),
    namespace: q.name('namespace', true),
    verdict: q.oneOf<Verdict>('verdict', VERDICTS),
    direction: q.oneOf<Direction>('direction', DIRECTIONS),
    state: q.oneOf<FlowObservation['state']>('state', FLOW_STATES),
    since: q.time('since'),
    until: q.time('until'),
    latestGeneration: q.oneOf('generations', GENERATIONS) === 'latest',
  };
  if (f.since && f.until && f.since >= f.until) throw badRequest('until', 'until must be after since');
  return f;
}
