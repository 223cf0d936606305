/**
 * The status digest decides whether a reconcile writes: a change the status would show must change
 * it, and a change the status leaves out must not (or every tick would write).
 */
import { describe, expect, it } from 'vitest';
import type { Offender, SummaryAnswer } from '../../../contracts/summary.js';
import type { AuditPolicyVersion } from '../cluster/model-types.js';
import { statusDigest } from './policy-steps.js';

const v: AuditPolicyVersion = { uid: 'u1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'p', generation: 3, problems: [] };
const offender: Offender = {
  src: { namespace: 'shop', pod: 'web-1', ip: '10.0.0.1' },
  dst: { namespace: 'prod', pod: 'db-0', ip: '10.0.0.2' },
  port: 5432, protocol: 'TCP', direction: 'Ingress', count: 4, lastSeen: '2026-12-03T10:00:00.000Z', states: { established: 4 },
};
const summary: SummaryAnswer = { since: 'a', until: 'b', allow: 10, wouldDeny: 4, unidentifiedPeers: 0, topOffenders: [offender] };
const withOffender = (o: Partial<Offender>): SummaryAnswer => ({ ...summary, topOffenders: [{ ...offender, ...o }] });

describe('statusDigest', () => {
  it.each([
    { change: 'the source namespace', s: withOffender({ src: { ...offender.src, namespace: 'other' } }) },
    { change: 'the destination namespace', s: withOffender({ dst: { ...offender.dst, namespace: 'other' } }) },
    { change: 'the protocol', s: withOffender({ protocol: 'UDP' }) },
    { change: 'the source pod', s: withOffender({ src: { ...offender.src, pod: 'web-2' } }) },
    { change: 'the count', s: withOffender({ count: 5 }) },
    { change: 'the states', s: withOffender({ states: { refused: 4 } }) },
    { change: 'the last time seen', s: withOffender({ lastSeen: '2026-12-03T10:01:00.000Z' }) },
    { change: 'the would-deny total', s: { ...summary, wouldDeny: 5 } },
  ])('changes with $change (the status shows it)', ({ s }) => {
    expect(statusDigest(v, s)).not.toBe(statusDigest(v, summary));
  });

  it.each([
    { change: 'the summary window', s: { ...summary, since: 'c', until: 'd' } },
    { change: 'an offender the CRD cannot hold (port 0)', s: { ...summary, topOffenders: [offender, { ...offender, port: 0 }] } },
    { change: 'a lastSeen spelt differently for the same instant', s: withOffender({ lastSeen: '2026-12-03T10:00:00Z' }) },
  ])('stays the same with $change (the status leaves it out)', ({ s }) => {
    expect(statusDigest(v, s)).toBe(statusDigest(v, summary));
  });

  it('changes with the generation', () => {
    expect(statusDigest({ ...v, generation: 4 }, summary)).not.toBe(statusDigest(v, summary));
  });
});
