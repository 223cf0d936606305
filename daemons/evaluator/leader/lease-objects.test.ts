/**
 * The Lease objects the elector writes: a renewal keeps the acquire time and the transition
 * count, a takeover starts a new term (acquired now, one more transition), a release is a
 * one-second lease so followers take over at their next read. The elector's loop against a real
 * API server is lease-elector.int.test.ts.
 */
import { V1Lease, V1LeaseSpec, V1MicroTime, V1ObjectMeta } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createdLease, heldLease, releasedLease, toRecord } from './lease-objects.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const EARLIER = '2026-12-03T11:00:00.000000Z';
const self = { identity: 'b', durationMs: 15_000, now: NOW };

function read(): V1Lease {
  return Object.assign(new V1Lease(), {
    metadata: Object.assign(new V1ObjectMeta(), { name: 'kguardian-evaluator', namespace: 'kguardian', resourceVersion: '42' }),
    // As the API answers: MicroTimes are strings.
    spec: Object.assign(new V1LeaseSpec(), { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: EARLIER, renewTime: EARLIER, leaseTransitions: 3 }),
  });
}

const iso = (t: unknown): string => new Date(t as string).toISOString();

describe('lease objects', () => {
  it('creates a lease held by this replica, acquired and renewed now, no transitions', () => {
    const l = createdLease(self, { namespace: 'kguardian', name: 'kguardian-evaluator' });
    expect(l).toMatchObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kguardian-evaluator', namespace: 'kguardian' } });
    expect(l.spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect([iso(l.spec?.acquireTime), iso(l.spec?.renewTime)]).toEqual([new Date(NOW).toISOString(), new Date(NOW).toISOString()]);
  });

  it.each([
    { action: 'renew' as const, transitions: 3, acquired: EARLIER },
    { action: 'takeover' as const, transitions: 4, acquired: '2026-12-03T12:00:00.000Z' },
  ])('$action: transitions $transitions, acquired $acquired, the read resourceVersion kept', ({ action, transitions, acquired }) => {
    const l = heldLease(self, read(), action);
    expect(l.metadata?.resourceVersion).toBe('42');
    expect(l.spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 15, leaseTransitions: transitions });
    expect(iso(l.spec?.acquireTime)).toBe(new Date(acquired).toISOString());
    expect(iso(l.spec?.renewTime)).toBe(new Date(NOW).toISOString());
  });

  it('releases as a one-second lease renewed now, term and transitions kept', () => {
    const held = read();
    const l = releasedLease(held as V1Lease & { spec: V1LeaseSpec }, NOW);
    expect(l.spec).toMatchObject({ leaseDurationSeconds: 1, leaseTransitions: 3 });
    expect(l.spec?.holderIdentity).toBeUndefined();
    expect(iso(l.spec?.acquireTime)).toBe(new Date(EARLIER).toISOString());
    expect(l.spec?.renewTime).toEqual(new V1MicroTime(NOW));
  });

  it('reads a record for lease-decision.ts, 15 s when the duration is missing', () => {
    expect(toRecord(read())).toEqual({ holder: 'a', durationMs: 15_000, renewTime: new Date(EARLIER), transitions: 3, resourceVersion: '42' });
    expect(toRecord(new V1Lease())).toEqual({ holder: undefined, durationMs: 15_000, renewTime: undefined, transitions: 0, resourceVersion: undefined });
  });
});
