/** The mismatch classification (table tests) and the checks of a prediction. Which NetworkPolicies a prediction names: contracts/evaluate-answer.test.ts. */
import { describe, expect, it } from 'vitest';
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

describe('checksOf', () => {
  it('makes one check per predicting policy, with its uid and generation', () => {
    const ref = (name: string) => ({ kind: 'NetworkPolicy' as const, namespace: 'prod', name, uid: `u-${name}`, generation: 2 });
    expect(checksOf({ predicted: 'Deny', policies: [ref('x'), ref('y')] })).toEqual([
      { policy: { uid: 'u-x', namespace: 'prod', name: 'x', generation: 2 }, predicted: 'Deny' },
      { policy: { uid: 'u-y', namespace: 'prod', name: 'y', generation: 2 }, predicted: 'Deny' },
    ]);
  });

  it('makes none without a prediction', () => {
    expect(checksOf(undefined)).toEqual([]);
  });
});
