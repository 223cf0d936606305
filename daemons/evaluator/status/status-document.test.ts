import { describe, expect, it } from 'vitest';
import type { SummaryAnswer } from '../../../contracts/summary.js';
import type { AuditPolicyVersion } from '../cluster/cluster-model.js';
import { eventNote } from '../events/offender-events.js';
import { mergeConditions, offenderKey, replayingStatus, syncedStatus, toStatusOffender } from './status-document.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:05:00Z');
const V: AuditPolicyVersion = { uid: 'u', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'p', generation: 4, problems: [] };
const OFFENDER = {
  src: { namespace: 'a', pod: 'web', ip: '10.0.0.1' }, dst: { namespace: '', pod: '', ip: '10.0.0.2' },
  port: 5432, protocol: 'TCP', direction: 'Ingress', count: 3, lastSeen: '2026-01-01T00:04:00Z', states: { refused: 2, attempt: 1 },
} as const;
const SUMMARY: SummaryAnswer = { since: '', until: '', allow: 7, wouldDeny: 3, unidentifiedPeers: 0, topOffenders: [{ ...OFFENDER }] };

describe('status document', () => {
  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = mergeConditions(undefined, [{ type: 'Ready', status: 'True', reason: 'A', message: 'a' }], T0);
    const same = mergeConditions(first, [{ type: 'Ready', status: 'True', reason: 'B', message: 'b' }], T1);
    const flipped = mergeConditions(first, [{ type: 'Ready', status: 'False', reason: 'C', message: 'c' }], T1);
    expect(same[0]).toMatchObject({ reason: 'B', lastTransitionTime: T0.toISOString() });
    expect(flipped[0]).toMatchObject({ reason: 'C', lastTransitionTime: T1.toISOString() });
  });

  it.each([
    { title: 'synced: Synced=True carries observedGeneration', stored: 4, synced: 'True', reason: 'Synced' },
    { title: 'object moved on meanwhile: Synced=False, SpecChanged', stored: 5, synced: 'False', reason: 'SpecChanged' },
  ])('$title', ({ stored, synced, reason }) => {
    const s = syncedStatus(V, SUMMARY, '1h', { generation: stored }, T1);
    const c = s.conditions?.find((x) => x.type === 'Synced');
    expect(s.observedGeneration).toBe(4);
    expect(c).toMatchObject({ status: synced, reason, observedGeneration: 4 });
    expect(s.evaluation).toMatchObject({ window: '1h', flowsEvaluated: 10, flowsAllowed: 7, flowsWouldDeny: 3 });
  });

  it.each([
    { title: 'no traffic', v: V, summary: { ...SUMMARY, allow: 0, wouldDeny: 0, topOffenders: [] }, status: 'True', reason: 'NoTrafficSeen' },
    { title: 'traffic', v: V, summary: SUMMARY, status: 'True', reason: 'Evaluated' },
    { title: 'invalid spec', v: { ...V, problems: ['port 0 is out of range'] }, summary: SUMMARY, status: 'False', reason: 'InvalidSpec' },
  ])('Ready for $title', ({ v, summary, status, reason }) => {
    const s = syncedStatus(v, summary, '1h', { generation: 4 }, T1);
    expect(s.conditions?.find((x) => x.type === 'Ready')).toMatchObject({ status, reason });
    if (reason === 'InvalidSpec') expect(s.evaluation?.flowsEvaluated).toBe(0);
  });

  it.each([
    { title: 'every private peer attributed: False', v: V, peers: 0, status: 'False', reason: 'PeerIdentityKnown', message: /^Every flow in the last 1h/ },
    { title: 'one unknown private peer: True, singular', v: V, peers: 1, status: 'True', reason: 'PeerIdentityUnknown', message: /^1 flow in the last 1h had a peer at a private address that matched no known pod; .*may be low or high\.$/ },
    { title: 'many: True with the count', v: V, peers: 1234, status: 'True', reason: 'PeerIdentityUnknown', message: /^1234 flows in the last 1h had a peer/ },
    // An invalid spec judged nothing: its counts are zero, and so is this one.
    { title: 'invalid spec: False whatever the broker says', v: { ...V, problems: ['bad'] }, peers: 9, status: 'False', reason: 'PeerIdentityKnown', message: /^Every flow/ },
  ])('Degraded: $title', ({ v, peers, status, reason, message }) => {
    const s = syncedStatus(v, { ...SUMMARY, unidentifiedPeers: peers }, '1h', { generation: 4 }, T1);
    const c = s.conditions?.find((x) => x.type === 'Degraded');
    expect(c).toMatchObject({ status, reason, observedGeneration: 4 });
    expect(c?.message).toMatch(message);
  });

  it('Degraded keeps its lastTransitionTime while the count changes, and moves when it clears', () => {
    const first = syncedStatus(V, { ...SUMMARY, unidentifiedPeers: 2 }, '1h', { generation: 4 }, T0);
    const more = syncedStatus(V, { ...SUMMARY, unidentifiedPeers: 5 }, '1h', { ...first, generation: 4 }, T1);
    const cleared = syncedStatus(V, SUMMARY, '1h', { ...more, generation: 4 }, T1);
    const degraded = (s: typeof first) => s.conditions?.find((x) => x.type === 'Degraded');
    expect(degraded(more)).toMatchObject({ status: 'True', lastTransitionTime: T0.toISOString() });
    expect(degraded(more)?.message).toMatch(/^5 flows/);
    expect(degraded(cleared)).toMatchObject({ status: 'False', lastTransitionTime: T1.toISOString() });
  });

  it('replaying leaves Degraded as the last reconciled generation wrote it', () => {
    const synced = syncedStatus(V, { ...SUMMARY, unidentifiedPeers: 3 }, '1h', { generation: 4 }, T0);
    const s = replayingStatus({ ...V, generation: 5 }, synced, T1);
    expect(s.conditions?.find((x) => x.type === 'Degraded')).toMatchObject({ status: 'True', observedGeneration: 4 });
  });

  it('replaying leaves counts and observedGeneration alone and says so', () => {
    const s = replayingStatus(V, { observedGeneration: 3 }, T1, 'replay 9 ended Failed');
    expect(s.observedGeneration).toBeUndefined();
    expect(s.evaluation).toBeUndefined();
    expect(s.conditions?.find((x) => x.type === 'Evaluating')).toMatchObject({ status: 'True', reason: 'ReplayRetrying' });
    expect(s.conditions?.find((x) => x.type === 'Synced')).toMatchObject({ status: 'False', reason: 'Replaying' });
  });

  it.each([
    { title: 'pod without namespace keeps only the IP', o: { ...OFFENDER, dst: { namespace: '', pod: 'x', ip: '10.0.0.2' } }, kept: true },
    { title: 'no pod and no IP is dropped', o: { ...OFFENDER, dst: { namespace: '', pod: '', ip: '' } }, kept: false },
    { title: 'port 0 is dropped (the schema needs 1-65535)', o: { ...OFFENDER, port: 0 }, kept: false },
  ])('offender: $title', ({ o, kept }) => {
    expect(toStatusOffender(o) !== undefined).toBe(kept);
  });

  it.each([
    { title: 'by connection state', states: { refused: 2, attempt: 1 }, want: { refused: 2, attempt: 1 } },
    { title: 'leaving out the states with none', states: { refused: 3, established: 0 }, want: { refused: 3 } },
    { title: 'and no field at all from a broker that gives none', states: {}, want: undefined },
  ])('offender: splits its count $title', ({ states, want }) => {
    expect(toStatusOffender({ ...OFFENDER, states })?.states).toEqual(want);
  });

  it('an offender has the same key from a summary and from the stored status', () => {
    const s = toStatusOffender(OFFENDER)!;
    expect(offenderKey(JSON.parse(JSON.stringify(s)) as typeof s)).toBe(offenderKey(s));
  });

  it('an Event note lists offenders, counts the rest and stays within 1 kB', () => {
    const o = toStatusOffender(OFFENDER)!;
    expect(eventNote(V, [o], 2)).toBe('3 new would-deny flows for generation 4: a/web -> 10.0.0.2:5432/TCP (Ingress, 3x, 2 refused, 1 attempt); and 2 more');
    // A status written before the states were kept has none to show.
    expect(eventNote(V, [{ ...o, states: undefined }], 0)).toBe('1 new would-deny flow for generation 4: a/web -> 10.0.0.2:5432/TCP (Ingress, 3x)');
    expect(eventNote(V, Array.from({ length: 100 }, () => o), 0).length).toBeLessThanOrEqual(1024);
  });
});
