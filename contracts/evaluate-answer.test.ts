/** What an answer keeps of an evaluation: the audit verdicts of the observed direction, and which NetworkPolicies a prediction names. */
import { describe, expect, it } from 'vitest';
import type { DirectionOutcome, FlowEvaluation, PolicyVerdict } from '../policy/types.js';
import { answerOf, enforcementOf } from './evaluate-answer.js';

const v = (kind: PolicyVerdict['kind'], direction: PolicyVerdict['direction'], verdict: PolicyVerdict['verdict'] = 'WouldDeny', name: string = kind.toLowerCase()): PolicyVerdict => ({
  policy: `prod/${name}`,
  kind,
  direction,
  verdict,
  reason: `${name} ${direction}`,
  ref: { kind, namespace: kind === 'AuditClusterNetworkPolicy' ? '' : 'prod', name, uid: `u-${name}`, generation: 3 },
});

function evaluation(egress: DirectionOutcome, ingress: DirectionOutcome, verdicts: PolicyVerdict[]): FlowEvaluation {
  const enforced = { egress, ingress, allowed: egress !== 'Deny' && ingress !== 'Deny' };
  return { src: { namespace: 'web', pod: 'api' }, dst: null, verdicts, effective: enforced, enforced, notes: ['a note the broker never stored'] };
}

describe('answerOf', () => {
  const all = evaluation('NotSelected', 'NotSelected', [
    v('NetworkPolicy', 'Egress'),
    v('NetworkPolicy', 'Ingress'),
    v('AuditNetworkPolicy', 'Egress'),
    v('AuditNetworkPolicy', 'Ingress', 'Allow'),
    v('AuditClusterNetworkPolicy', 'Egress'),
  ]);

  it.each([
    { title: 'an egress observation keeps the audit egress verdicts only', direction: 'Egress' as const, expected: ['auditnetworkpolicy Egress', 'auditclusternetworkpolicy Egress'] },
    { title: 'an ingress observation keeps the audit ingress verdicts only', direction: 'Ingress' as const, expected: ['auditnetworkpolicy Ingress'] },
  ])('$title (NetworkPolicy verdicts are enforcement, never audit)', ({ direction, expected }) => {
    const answer = answerOf(all, direction, true);
    expect(answer.verdicts.map((x) => x.reason)).toEqual(expected);
    expect(answer.verdicts[0]).toEqual({ ref: all.verdicts.find((x) => x.reason === expected[0])?.ref, verdict: direction === 'Egress' ? 'WouldDeny' : 'Allow', reason: expected[0] });
  });

  it('keeps the pods at each end and leaves notes, effective verdicts and rule indexes out', () => {
    expect(Object.keys(answerOf(all, 'Egress', true))).toEqual(['src', 'dst', 'verdicts']);
    expect(answerOf(all, 'Egress', true)).toMatchObject({ src: { namespace: 'web', pod: 'api' }, dst: null });
  });

  it('leaves the prediction out when asked to (replays)', () => {
    const denied = evaluation('Deny', 'NotSelected', [v('NetworkPolicy', 'Egress')]);
    expect(answerOf(denied, 'Egress', true).enforcement).toEqual({ predicted: 'Deny', policies: [denied.verdicts[0]?.ref] });
    expect(answerOf(denied, 'Egress', false)).not.toHaveProperty('enforcement');
  });
});

describe('enforcementOf', () => {
  const np = (name: string, direction: PolicyVerdict['direction'], verdict: PolicyVerdict['verdict']): PolicyVerdict => v('NetworkPolicy', direction, verdict, name);
  const audit = v('AuditNetworkPolicy', 'Egress');
  it.each<{ title: string; e: FlowEvaluation; direction: 'Egress' | 'Ingress'; expected: string[] }>([
    { title: 'a denied direction names every NetworkPolicy selecting it, not audit policies', e: evaluation('Deny', 'NotSelected', [np('x', 'Egress', 'WouldDeny'), np('y', 'Egress', 'WouldDeny'), audit]), direction: 'Egress', expected: ['x Deny', 'y Deny'] },
    { title: 'an allowed direction names the policies that allow it', e: evaluation('Allow', 'NotSelected', [np('x', 'Egress', 'WouldDeny'), np('y', 'Egress', 'Allow')]), direction: 'Egress', expected: ['y Allow'] },
    { title: 'a direction no NetworkPolicy selects has no prediction', e: evaluation('NotSelected', 'Deny', [np('z', 'Ingress', 'WouldDeny')]), direction: 'Egress', expected: [] },
    { title: 'allowed here but denied on the other side: the other side\'s observation carries it', e: evaluation('Allow', 'Deny', [np('y', 'Egress', 'Allow'), np('z', 'Ingress', 'WouldDeny')]), direction: 'Egress', expected: [] },
    { title: 'the ingress observation of that flow names the denying ingress policy', e: evaluation('Allow', 'Deny', [np('y', 'Egress', 'Allow'), np('z', 'Ingress', 'WouldDeny')]), direction: 'Ingress', expected: ['z Deny'] },
  ])('$title', ({ e, direction, expected }) => {
    const p = enforcementOf(e, direction);
    expect(p === undefined ? [] : p.policies.map((r) => `${r.name} ${p.predicted}`)).toEqual(expected);
  });
});
