/** The mismatch classification and which NetworkPolicies a check names: table tests. */
import { describe, expect, it } from 'vitest';
import type { DirectionOutcome, FlowEvaluation, PolicyVerdict } from '../../../policy/types.js';
import { checksOf, classify, explain, MIN_FAILURES, type Observed } from './enforcement.js';

const counts = (c: Partial<Observed['counts']> = {}): Observed['counts'] => ({ established: 0, attempt: 0, refused: 0, seen: 0, ...c });

describe('classify', () => {
  it.each<{ title: string; o: Observed; outcome: string }>([
    { title: 'denied and established: the CNI does not enforce', o: { predicted: 'Deny', protocol: 'TCP', direction: 'Egress', counts: counts({ established: 1 }) }, outcome: 'NotEnforced' },
    { title: 'denied, established once among many failures: still got through', o: { predicted: 'Deny', protocol: 'TCP', direction: 'Ingress', counts: counts({ established: 1, attempt: 50 }) }, outcome: 'NotEnforced' },
    { title: 'denied and never established', o: { predicted: 'Deny', protocol: 'TCP', direction: 'Egress', counts: counts({ attempt: 4 }) }, outcome: 'Agrees' },
    // Some CNIs reject (a reset) instead of dropping.
    { title: 'denied and refused', o: { predicted: 'Deny', protocol: 'TCP', direction: 'Egress', counts: counts({ refused: 2 }) }, outcome: 'Agrees' },
    { title: 'denied UDP seen arriving at the destination: delivered', o: { predicted: 'Deny', protocol: 'UDP', direction: 'Ingress', counts: counts({ seen: 3 }) }, outcome: 'NotEnforced' },
    { title: 'denied UDP seen leaving its source only: no evidence either way', o: { predicted: 'Deny', protocol: 'UDP', direction: 'Egress', counts: counts({ seen: 3 }) }, outcome: 'Inconclusive' },
    { title: 'denied and nothing counted', o: { predicted: 'Deny', protocol: 'TCP', direction: 'Egress', counts: counts() }, outcome: 'Agrees' },
    { title: 'allowed and established', o: { predicted: 'Allow', protocol: 'TCP', direction: 'Egress', counts: counts({ established: 2 }) }, outcome: 'Agrees' },
    { title: 'allowed, established once and failing otherwise: flaky, not dropped', o: { predicted: 'Allow', protocol: 'TCP', direction: 'Egress', counts: counts({ established: 1, attempt: 9 }) }, outcome: 'Agrees' },
    { title: 'allowed UDP seen', o: { predicted: 'Allow', protocol: 'UDP', direction: 'Egress', counts: counts({ seen: 1 }) }, outcome: 'Agrees' },
    { title: `allowed, ${MIN_FAILURES} attempts never established: dropped elsewhere`, o: { predicted: 'Allow', protocol: 'TCP', direction: 'Egress', counts: counts({ attempt: MIN_FAILURES }) }, outcome: 'DroppedElsewhere' },
    { title: 'allowed, attempts and refusals add up to the threshold', o: { predicted: 'Allow', protocol: 'TCP', direction: 'Ingress', counts: counts({ attempt: 1, refused: MIN_FAILURES - 1 }) }, outcome: 'DroppedElsewhere' },
    { title: 'allowed, one failure short of the threshold', o: { predicted: 'Allow', protocol: 'TCP', direction: 'Egress', counts: counts({ refused: MIN_FAILURES - 1 }) }, outcome: 'Inconclusive' },
  ])('$title', ({ o, outcome }) => {
    expect(classify(o)).toBe(outcome);
    expect(explain(o, classify(o))).toMatch(o.predicted === 'Deny' ? /^the enforced NetworkPolicies deny this flow/ : /^the enforced NetworkPolicies allow this flow/);
  });
});

const np = (name: string, direction: PolicyVerdict['direction'], verdict: PolicyVerdict['verdict']): PolicyVerdict => ({
  policy: `prod/${name}`, kind: 'NetworkPolicy', direction, verdict, reason: '', ref: { kind: 'NetworkPolicy', namespace: 'prod', name, uid: `u-${name}`, generation: 2 },
});
const audit: PolicyVerdict = { policy: 'prod/a', kind: 'AuditNetworkPolicy', direction: 'Egress', verdict: 'WouldDeny', reason: '', ref: { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'a' } };

function evaluation(egress: DirectionOutcome, ingress: DirectionOutcome, verdicts: PolicyVerdict[]): FlowEvaluation {
  const enforced = { egress, ingress, allowed: egress !== 'Deny' && ingress !== 'Deny' };
  return { src: null, dst: null, verdicts, effective: enforced, enforced, notes: [] };
}

describe('checksOf', () => {
  it.each<{ title: string; e: FlowEvaluation; direction: 'Egress' | 'Ingress'; expected: string[] }>([
    { title: 'a denied direction names every NetworkPolicy selecting it, not audit policies', e: evaluation('Deny', 'NotSelected', [np('x', 'Egress', 'WouldDeny'), np('y', 'Egress', 'WouldDeny'), audit]), direction: 'Egress', expected: ['x Deny', 'y Deny'] },
    { title: 'an allowed direction names the policies that allow it', e: evaluation('Allow', 'NotSelected', [np('x', 'Egress', 'WouldDeny'), np('y', 'Egress', 'Allow')]), direction: 'Egress', expected: ['y Allow'] },
    { title: 'a direction no NetworkPolicy selects has no check', e: evaluation('NotSelected', 'Deny', [np('z', 'Ingress', 'WouldDeny')]), direction: 'Egress', expected: [] },
    { title: 'allowed here but denied on the other side: the other side\'s observation carries it', e: evaluation('Allow', 'Deny', [np('y', 'Egress', 'Allow'), np('z', 'Ingress', 'WouldDeny')]), direction: 'Egress', expected: [] },
    { title: 'the ingress observation of that flow names the denying ingress policy', e: evaluation('Allow', 'Deny', [np('y', 'Egress', 'Allow'), np('z', 'Ingress', 'WouldDeny')]), direction: 'Ingress', expected: ['z Deny'] },
  ])('$title', ({ e, direction, expected }) => {
    expect(checksOf(e, direction).map((c) => `${c.policy.name} ${c.predicted}`)).toEqual(expected);
  });

  it('keeps the policy uid and generation', () => {
    expect(checksOf(evaluation('Deny', 'NotSelected', [np('x', 'Egress', 'WouldDeny')]), 'Egress')).toEqual([
      { policy: { uid: 'u-x', namespace: 'prod', name: 'x', generation: 2 }, predicted: 'Deny' },
    ]);
  });
});
