/**
 * What a replica should do with the Lease it just read: a pure function, so every case
 * (no lease, ours, someone else's and fresh, someone else's and expired, released) is a table
 * test row. Expiry is judged the way client-go judges it: by when *this* replica last saw the
 * record change (its own clock), not by the holder's renewTime, so skewed node clocks cannot
 * make two replicas lead at once. A renewTime far in the past (more than twice the duration
 * late by our clock) also counts as expired, so a replica that starts after the holder died
 * does not wait a full duration for nothing.
 */

export interface LeaseRecord {
  /** Undefined or '' when nobody holds the lease (released). */
  holder?: string;
  durationMs: number;
  renewTime?: Date;
  transitions: number;
  resourceVersion?: string;
}

/** The last version of the record this replica saw, and when (by its own clock). */
export interface Observation {
  fingerprint: string;
  at: number;
}

export type LeaseAction =
  | { kind: 'create' }
  | { kind: 'renew' }
  | { kind: 'takeover' }
  | { kind: 'follow'; holder: string; expiresInMs: number };

export function fingerprint(r: LeaseRecord): string {
  return `${r.holder ?? ''}|${r.renewTime?.getTime() ?? ''}|${r.resourceVersion ?? ''}`;
}

/** The observation after reading `record` at `now`: unchanged records keep their first sighting. */
export function observe(prev: Observation | undefined, record: LeaseRecord, now: number): Observation {
  const fp = fingerprint(record);
  return prev?.fingerprint === fp ? prev : { fingerprint: fp, at: now };
}

export function decide(record: LeaseRecord | null, seen: Observation | undefined, identity: string, now: number): LeaseAction {
  if (record === null) return { kind: 'create' };
  if (record.holder === identity) return { kind: 'renew' };
  if (record.holder === undefined || record.holder === '') return { kind: 'takeover' };
  const observedAt = seen?.fingerprint === fingerprint(record) ? seen.at : now;
  const expiresAt = observedAt + record.durationMs;
  const longDead = record.renewTime !== undefined && record.renewTime.getTime() + 2 * record.durationMs < now;
  if (now >= expiresAt || longDead) return { kind: 'takeover' };
  return { kind: 'follow', holder: record.holder, expiresInMs: expiresAt - now };
}
