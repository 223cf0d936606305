// The model of kube-router v2.1.0: with no deviation switched on it is the API's semantics, so it must judge
// every probe of the corpus as kguardian's engine does; each deviation, switched on alone, changes exactly
// the probes its rule of kube-router's source says, and nothing on a policy it does not concern.
import { describe, expect, it } from 'vitest';
import { ClusterState } from '../../policy/cluster-state.js';
import { evaluateFlow } from '../../policy/evaluate.js';
import type { DirectionOutcome, EffectiveVerdict, NetworkPolicySpec } from '../../policy/types.js';
import { apiSides, connects, DEVIATIONS, inCidr, selects, type ApiSide, type Deviation } from './kube-router-model.js';
import { randomScenarios } from './scenarios/random.js';
import { NAME_LABEL, type CopyContext, type PolicyDef, type ScenarioDef } from './scenarios/types.js';
import { UPSTREAM_SCENARIOS } from './scenarios/upstream.js';
import { makeCopy, NAMESPACE_LABELS, PORTS, probesOf, PROTOCOLS, portName, type Probe } from './universe.js';

const copy = makeCopy(0);
copy.pods.forEach((p, i) => { p.ip = `10.254.128.${10 + i}`; });
const ctx: CopyContext = { ns: (m) => copy.namespaces[m], ip: (model) => copy.pods.find((p) => p.model === model)?.ip ?? '' };
const probes = probesOf(copy);
const NONE = new Set<Deviation>();
const ALL = new Set<Deviation>(DEVIATIONS);

function probe(key: string): Probe {
  const p = probes.find((x) => x.key === key);
  if (!p) throw new Error(`no probe ${key}`);
  return p;
}

/** The engine's judgement of every probe under the scenario's policies. */
function engine(s: ScenarioDef, policies: PolicyDef[]): boolean[] {
  return engineEffective(s, policies).map((e) => e.allowed);
}

/** The engine's effective verdict (each direction and both) on every probe under the scenario's policies. */
function engineEffective(s: ScenarioDef, policies: PolicyDef[]): EffectiveVerdict[] {
  const state = new ClusterState();
  for (const [model, name] of Object.entries(copy.namespaces)) {
    state.upsertNamespace({ name, labels: { [NAME_LABEL]: name, ns: model, ...NAMESPACE_LABELS[model as 'x'], 'kguardian.dev/enforcement-test': 'true' } });
  }
  for (const p of copy.pods) {
    state.upsertPod({ namespace: p.namespace, name: p.pod, labels: p.labels, ips: [p.ip ?? ''], hostNetwork: false,
      ports: PORTS.flatMap((port) => PROTOCOLS.map((protocol) => ({ name: portName(port, protocol), containerPort: port, protocol }))) });
  }
  for (const pol of policies) {
    state.upsertPolicy({ apiVersion: 'kguardian.dev/v1alpha1', kind: 'AuditNetworkPolicy',
      metadata: { name: `${s.id}-${pol.name}`, namespace: copy.namespaces[pol.namespace] }, spec: pol.spec });
  }
  return probes.map((p) => evaluateFlow(state, {
    src: { namespace: p.src.namespace, pod: p.src.pod, ip: p.src.ip }, dst: { namespace: p.dst.namespace, pod: p.dst.pod, ip: p.dst.ip },
    protocol: p.protocol, port: p.port,
  }, { reasons: false }).effective);
}

describe('the model with no deviation is the API', () => {
  it('judges every probe of the whole corpus as the engine does', () => {
    let compared = 0;
    const differ: string[] = [];
    for (const s of [...UPSTREAM_SCENARIOS, ...randomScenarios(20261203, 200)]) {
      const policies = s.policies(ctx);
      const want = engine(s, policies);
      probes.forEach((p, i) => {
        compared++;
        if (connects(policies, copy, p, NONE) !== want[i]) differ.push(`${s.id} ${p.key}`);
      });
    }
    expect(differ).toEqual([]);
    expect(compared).toBe(251 * probes.length);
  });

  it('judges each direction of every probe of the whole corpus as the engine does (what verify predicts per observed end)', () => {
    const side: Record<DirectionOutcome, ApiSide> = { Allow: 'allow', Deny: 'deny', NotSelected: 'unselected' };
    const differ: string[] = [];
    for (const s of [...UPSTREAM_SCENARIOS, ...randomScenarios(20261203, 200)]) {
      const policies = s.policies(ctx);
      const want = engineEffective(s, policies);
      probes.forEach((p, i) => {
        const e = want[i] as EffectiveVerdict;
        const got = apiSides(policies, copy, p);
        if (got.egress !== side[e.egress] || got.ingress !== side[e.ingress]) differ.push(`${s.id} ${p.key}: ${got.egress}/${got.ingress}, engine ${e.egress}/${e.ingress}`);
      });
    }
    expect(differ).toEqual([]);
  });

  it('with every deviation on, still judges every upstream probe as the engine does (kube-router passed them all)', () => {
    const differ: string[] = [];
    for (const s of UPSTREAM_SCENARIOS) {
      const policies = s.policies(ctx);
      const want = engine(s, policies);
      probes.forEach((p, i) => { if (connects(policies, copy, p, ALL) !== want[i]) differ.push(`${s.id} ${p.key}`); });
    }
    expect(differ).toEqual([]);
  });
});

describe('each deviation, alone', () => {
  const ip = (model: string): string => ctx.ip(model);
  const x = (spec: NetworkPolicySpec): PolicyDef[] => [{ namespace: 'x', name: 'p0', spec }];
  // Every case: the policies, a probe, and whether it connects per the API (deviation off) and per kube-router (on).
  it.each([
    { deviation: 'both-types-one-chain', name: 'an egress rule of a two-way policy admits ingress to its own pod',
      policies: x({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{}] }), key: 'x/a->x/b:80/TCP', api: false, kube: true },
    { deviation: 'both-types-one-chain', name: 'an ingress rule of a two-way policy admits egress from its own pod',
      policies: x({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}] }), key: 'x/a->x/b:80/TCP', api: false, kube: true },
    { deviation: 'both-types-one-chain', name: 'not for a pod of another namespace',
      policies: x({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{}] }), key: 'y/a->x/b:80/TCP', api: false, kube: false },
    { deviation: 'both-types-one-chain', name: 'not for two one-way policies',
      policies: [...x({ podSelector: {}, policyTypes: ['Ingress'] }), { namespace: 'x' as const, name: 'p1', spec: { podSelector: {}, policyTypes: ['Egress' as const], egress: [{}] } }],
      key: 'x/a->x/b:80/TCP', api: false, kube: false },
    { deviation: 'both-types-one-chain', name: 'only on the ports the other direction admits',
      policies: x({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ port: 80 }] }] }), key: 'x/a->x/b:81/TCP', api: false, kube: false },
    { deviation: 'unresolved-named-ports', name: 'a name no pod has, from a named peer, admits every port',
      policies: x({ podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 'serve-82-tcp' }] }] }),
      key: 'x/b->x/a:81/UDP', api: false, kube: true },
    { deviation: 'unresolved-named-ports', name: 'a name on another protocol, too',
      policies: x({ podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'serve-80-udp' }] }] }),
      key: 'x/b->x/a:80/TCP', api: false, kube: true },
    { deviation: 'unresolved-named-ports', name: 'not when one name resolves',
      policies: x({ podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'serve-82-tcp' }, { port: 'serve-80-tcp' }] }] }),
      key: 'x/b->x/a:81/TCP', api: false, kube: false },
    { deviation: 'unresolved-named-ports', name: 'not for an ipBlock peer',
      policies: x({ podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'serve-82-tcp' }] }] }),
      key: 'x/b->x/a:80/TCP', api: false, kube: false },
    { deviation: 'egress-ipblock-named-port', name: 'egress to an ipBlock on a named port is dropped',
      policies: x({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.254.128.0/24' } }], ports: [{ port: 'serve-80-tcp' }] }] }),
      key: 'x/a->y/a:80/TCP', api: true, kube: false },
    { deviation: 'egress-ipblock-named-port', name: 'a numeric port still applies',
      policies: x({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.254.128.0/24' } }], ports: [{ port: 80 }] }] }),
      key: 'x/a->y/a:80/TCP', api: true, kube: true },
    { deviation: 'ipblock-excepts-shared', name: 'one peer\'s except removes the address from the other peer',
      policies: x({ podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [
        { ipBlock: { cidr: '10.254.128.0/24', except: [`${ip('y/a')}/32`] } }, { ipBlock: { cidr: '10.254.128.0/24', except: [`${ip('z/a')}/32`] } }] }] }),
      key: 'x/a->y/a:80/TCP', api: true, kube: false },
    { deviation: 'ipblock-excepts-shared', name: 'not for an address no except names',
      policies: x({ podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [
        { ipBlock: { cidr: '10.254.128.0/24', except: [`${ip('y/a')}/32`] } }, { ipBlock: { cidr: '10.254.128.0/24', except: [`${ip('z/a')}/32`] } }] }] }),
      key: 'x/a->y/b:80/TCP', api: true, kube: true },
  ] as { deviation: Deviation; name: string; policies: PolicyDef[]; key: string; api: boolean; kube: boolean }[])('$deviation: $name', ({ deviation, policies, key, api, kube }) => {
    expect(connects(policies, copy, probe(key), NONE)).toBe(api);
    expect(connects(policies, copy, probe(key), new Set([deviation]))).toBe(kube);
  });
});

describe('selects', () => {
  const labels = { pod: 'a', tier: 'web' };
  it.each([
    { selector: undefined, want: true },
    { selector: {}, want: true },
    { selector: { matchLabels: { pod: 'a' } }, want: true },
    { selector: { matchLabels: { pod: 'b' } }, want: false },
    { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }] }, want: true },
    { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, want: false },
    { selector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v1'] }] }, want: true },
    { selector: { matchExpressions: [{ key: 'version', operator: 'In', values: ['v1'] }] }, want: false },
    { selector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] }, want: true },
    { selector: { matchExpressions: [{ key: 'pod', operator: 'DoesNotExist' }] }, want: false },
    { selector: { matchLabels: { pod: 'a' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, want: false },
  ])('$selector -> $want', ({ selector, want }) => {
    expect(selects(selector, labels)).toBe(want);
  });
});

describe('inCidr', () => {
  it.each([
    { ip: '10.254.128.7', cidr: '10.254.128.0/24', want: true },
    { ip: '10.254.129.7', cidr: '10.254.128.0/24', want: false },
    { ip: '10.254.128.7', cidr: '10.254.128.7/32', want: true },
    { ip: '10.254.128.7', cidr: '10.254.128.6/31', want: true },
    { ip: '10.254.128.8', cidr: '10.254.128.6/31', want: false },
    { ip: '1.2.3.4', cidr: '0.0.0.0/0', want: true },
  ])('$ip in $cidr: $want', ({ ip, cidr, want }) => {
    expect(inCidr(ip, cidr)).toBe(want);
  });
});
