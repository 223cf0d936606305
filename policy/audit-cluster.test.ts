// AuditClusterNetworkPolicy on the 3x3 model of reachability.ts. A cluster policy is a
// NetworkPolicy spec plus a namespaceSelector saying which namespaces it covers (nil or {}
// meaning all); within each covered namespace it reads exactly as a namespaced policy placed
// there would, so several cases also run that namespaced equivalent against the same table.
// Cluster policies are audit-only: `enforced` allows everything unless a NetworkPolicy says
// otherwise.
import { describe, expect, it } from 'vitest';
import type { ModelNamespace } from './testing/reachability.js';
import { probe, runScenario, Scenario, TruthTable } from './testing/reachability.js';
import type { ClusterNetworkPolicySpec, LabelSelector, NetworkPolicySpec } from './types.js';

const NAME = 'kubernetes.io/metadata.name';
const allowAll = (): TruthTable => TruthTable.allowAll();
const DENY_INGRESS: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'], ingress: [] };
const X_AND_Y: LabelSelector = { matchExpressions: [{ key: 'ns', operator: 'In', values: ['x', 'y'] }] };

/** A fresh model holding one cluster policy. */
function withCluster(name: string, spec: ClusterNetworkPolicySpec): Scenario {
  return new Scenario('AuditNetworkPolicy').applyCluster(name, spec);
}

/** The same spec as namespaced policies in each of `namespaces`, checked against `expected`. */
function expectNamespacedEquivalent(spec: NetworkPolicySpec, namespaces: readonly ModelNamespace[], expected: TruthTable): void {
  runScenario((s) => {
    for (const ns of namespaces) s.apply(`${ns}/equivalent`, spec);
    s.checkEvery(expected);
  });
}

describe('AuditClusterNetworkPolicy: which namespaces it covers', () => {
  it('denies ingress in the namespaces its selector matches and leaves z alone', () => {
    const expected = allowAll().denyTo('x').denyTo('y');
    withCluster('deny-ingress-x-y', { namespaceSelector: X_AND_Y, ...DENY_INGRESS }).checkEvery(expected);
    expectNamespacedEquivalent(DENY_INGRESS, ['x', 'y'], expected);
  });

  it('matches namespaces by the default name label too', () => {
    const byName: LabelSelector = { matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['z'] }] };
    withCluster('deny-ingress-not-z', { namespaceSelector: byName, ...DENY_INGRESS }).checkEvery(allowAll().denyTo('x').denyTo('y'));
  });

  const everyNamespace: [string, LabelSelector | undefined][] = [
    ['a nil namespaceSelector', undefined],
    ['an empty {} namespaceSelector', {}],
    ['a namespaceSelector with empty matchLabels', { matchLabels: {} }],
  ];
  for (const [label, namespaceSelector] of everyNamespace) {
    it(`covers every namespace with ${label}`, () => {
      const spec: ClusterNetworkPolicySpec = namespaceSelector === undefined ? DENY_INGRESS : { namespaceSelector, ...DENY_INGRESS };
      const s = withCluster('deny-ingress-everywhere', spec);
      expect(s.state.policy('AuditClusterNetworkPolicy', '', 'deny-ingress-everywhere')?.targetNamespaces).toEqual({ kind: 'all' });
      s.checkEvery(TruthTable.denyAll());
      expectNamespacedEquivalent(DENY_INGRESS, ['x', 'y', 'z'], TruthTable.denyAll());
    });
  }

  it('covers nothing when no namespace matches', () => {
    withCluster('deny-ingress-nowhere', { namespaceSelector: { matchLabels: { ns: 'w' } }, ...DENY_INGRESS }).checkEvery(allowAll());
  });

  it('stops applying once deleted', () => {
    const s = withCluster('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    s.checkEvery(TruthTable.denyAll());
    s.removeCluster('deny-all');
    s.checkEvery(allowAll());
  });
});

describe('AuditClusterNetworkPolicy: peers read in each covered namespace', () => {
  const FROM_B: NetworkPolicySpec = {
    podSelector: { matchLabels: { pod: 'a' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
  };

  it("reads a peer with only a podSelector as the selected pod's own namespace", () => {
    // In every namespace, a admits only the b beside it: never y/b into x/a.
    const expected = allowAll().denyTo('*/a').allow('x/b', 'x/a').allow('y/b', 'y/a').allow('z/b', 'z/a');
    withCluster('a-from-local-b', FROM_B).checkEvery(expected);
    expectNamespacedEquivalent(FROM_B, ['x', 'y', 'z'], expected);
  });

  it('reads a podSelector-only peer per namespace when only some namespaces are covered', () => {
    const expected = allowAll().denyTo('x/a').allow('x/b', 'x/a').denyTo('y/a').allow('y/b', 'y/a');
    withCluster('a-from-local-b-x-y', { namespaceSelector: X_AND_Y, ...FROM_B }).checkEvery(expected);
    expectNamespacedEquivalent(FROM_B, ['x', 'y'], expected);
  });

  it('reads an empty podSelector peer as every pod of the namespace at hand', () => {
    // Each namespace talks only to itself: egress to {} pods, without a namespaceSelector.
    const spec: NetworkPolicySpec = { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] };
    const expected = TruthTable.denyAll().allow('x', 'x').allow('y', 'y').allow('z', 'z');
    withCluster('stay-home', spec).checkEvery(expected);
    expectNamespacedEquivalent(spec, ['x', 'y', 'z'], expected);
  });

  it('keeps ports and namespaceSelector peers as a namespaced policy would', () => {
    // Covering x and z: pod a admits namespace y, on TCP 81 only.
    const spec: NetworkPolicySpec = {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81 }] }],
    };
    const s = withCluster('a-81-from-y', { namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['y'] }] }, ...spec });
    s.check('TCP/81', allowAll().denyTo('x/a').allow('y', 'x/a').denyTo('z/a').allow('y', 'z/a'));
    s.check('TCP/80', allowAll().denyTo('x/a').denyTo('z/a'));
    s.check('UDP/81', allowAll().denyTo('x/a').denyTo('z/a'));
  });
});

describe('AuditClusterNetworkPolicy: namespaces relabelled under it', () => {
  it('starts and stops covering a namespace as its labels change', () => {
    const s = withCluster('deny-ingress-audited', { namespaceSelector: { matchLabels: { audit: 'on' } }, ...DENY_INGRESS });
    s.checkEvery(allowAll());
    s.state.upsertNamespace({ name: 'z', labels: { ns: 'z', audit: 'on' } });
    s.checkEvery(allowAll().denyTo('z'));
    s.state.upsertNamespace({ name: 'x', labels: { ns: 'x', audit: 'on' } });
    s.state.upsertNamespace({ name: 'z', labels: { ns: 'z' } });
    s.checkEvery(allowAll().denyTo('x'));
    s.state.upsertNamespace({ name: 'x', labels: { ns: 'x', audit: 'off' } });
    s.checkEvery(allowAll());
  });

  it('re-reads a namespaceSelector peer when the peer namespace is relabelled', () => {
    const s = withCluster('a-from-trusted', {
      namespaceSelector: { matchLabels: { ns: 'x' } },
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { trusted: 'yes' } } }] }],
    });
    s.checkEvery(allowAll().denyTo('x/a'));
    s.relabelNamespace('z', { trusted: 'yes' });
    s.checkEvery(allowAll().denyTo('x/a').allow('z', 'x/a'));
  });

  it('keeps covering a relabelled namespace whose new labels still match', () => {
    const s = withCluster('deny-ingress-x-y', { namespaceSelector: X_AND_Y, ...DENY_INGRESS });
    s.relabelNamespace('y', { team: 'blue' });
    s.checkEvery(allowAll().denyTo('x').denyTo('y'));
  });
});

describe('AuditClusterNetworkPolicy with other policies', () => {
  it('shows in effective but never in enforced, beside an enforced NetworkPolicy', () => {
    const s = new Scenario('AuditNetworkPolicy')
      .applyEnforced('x/deny-ingress', DENY_INGRESS)
      .applyCluster('deny-ingress-y', { namespaceSelector: { matchLabels: { ns: 'y' } }, ...DENY_INGRESS });
    s.checkEvery(allowAll().denyTo('x').denyTo('y'), { enforced: allowAll().denyTo('x') });
    const one = probe(s.state, 'TCP/80').evaluations.get('z/a>y/a')!;
    expect(one.verdicts.map((v) => `${v.kind} ${v.policy} ${v.verdict}`)).toEqual(['AuditClusterNetworkPolicy deny-ingress-y WouldDeny']);
    expect(one.effective).toEqual({ ingress: 'Deny', egress: 'NotSelected', allowed: false });
    expect(one.enforced).toEqual({ ingress: 'NotSelected', egress: 'NotSelected', allowed: true });
  });

  it('adds its allows to those of the namespaced policies selecting the same pod', () => {
    // Policies only ever allow: a cluster-wide deny plus a namespaced allow admits the allowed flow.
    const s = new Scenario('AuditNetworkPolicy')
      .applyCluster('deny-ingress-everywhere', DENY_INGRESS)
      .apply('x/a-from-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] });
    s.checkEvery(TruthTable.denyAll().allow('x/b', 'x/a'));
  });
});
