// The corpus as kguardian's engine sees it, before any cluster: every scenario compiles, the engine denies
// some probes and allows others overall (a corpus judged all-allow or all-deny would measure little), and
// most upstream cases deny something. Each scenario is judged on its own, as on the cluster.
import { describe, expect, it } from 'vitest';
import { ClusterState } from '../../../policy/cluster-state.js';
import { evaluateFlow } from '../../../policy/evaluate.js';
import { makeCopy, NAMESPACE_LABELS, PORTS, probesOf, PROTOCOLS, portName } from '../universe.js';
import { randomScenarios } from './random.js';
import { NAME_LABEL, type CopyContext, type ScenarioDef } from './types.js';
import { UPSTREAM_SCENARIOS } from './upstream.js';

const copy = makeCopy(0);
copy.pods.forEach((p, i) => { p.ip = `10.254.128.${10 + i}`; });
const ctx: CopyContext = { ns: (m) => copy.namespaces[m], ip: (model) => copy.pods.find((p) => p.model === model)?.ip ?? '' };
const probes = probesOf(copy);

/** Probes the engine denies under the scenario's policies as AuditNetworkPolicies. */
function denied(s: ScenarioDef): number {
  const state = new ClusterState();
  for (const [model, name] of Object.entries(copy.namespaces)) {
    state.upsertNamespace({ name, labels: { [NAME_LABEL]: name, ns: model, ...NAMESPACE_LABELS[model as 'x'], 'kguardian.dev/enforcement-test': 'true' } });
  }
  for (const p of copy.pods) {
    state.upsertPod({ namespace: p.namespace, name: p.pod, labels: p.labels, ips: [p.ip ?? ''], hostNetwork: false,
      ports: PORTS.flatMap((port) => PROTOCOLS.map((protocol) => ({ name: portName(port, protocol), containerPort: port, protocol }))) });
  }
  for (const pol of s.policies(ctx)) {
    const r = state.upsertPolicy({ apiVersion: 'kguardian.dev/v1alpha1', kind: 'AuditNetworkPolicy',
      metadata: { name: `${s.id}-${pol.name}`, namespace: copy.namespaces[pol.namespace] }, spec: pol.spec });
    expect(r.problems.filter((x) => x.severity === 'error'), `${s.id} ${pol.name}`).toEqual([]);
  }
  return probes.filter((p) => !evaluateFlow(state, {
    src: { namespace: p.src.namespace, pod: p.src.pod, ip: p.src.ip }, dst: { namespace: p.dst.namespace, pod: p.dst.pod, ip: p.dst.ip },
    protocol: p.protocol, port: p.port,
  }, { reasons: false }).effective.allowed).length;
}

describe('the corpus under the engine', () => {
  it('denies some probes and allows others, upstream and random alike', () => {
    const up = UPSTREAM_SCENARIOS.map(denied);
    const random = randomScenarios(20261203, 200).map(denied);
    const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const share = (xs: number[]): number => total(xs) / (xs.length * probes.length);
    expect(share(up)).toBeGreaterThan(0.05);
    expect(share(up)).toBeLessThan(0.5);
    expect(share(random)).toBeGreaterThan(0.05);
    expect(share(random)).toBeLessThan(0.95);
    // Allow-all cases deny nothing; the rest of upstream denies something.
    expect(up.filter((n) => n > 0).length).toBeGreaterThan(UPSTREAM_SCENARIOS.length - 10);
    expect(random.filter((n) => n > 0 && n < probes.length).length).toBeGreaterThan(100);
    process.stdout.write(`corpus: the engine denies ${total(up)}/${up.length * probes.length} upstream and ${total(random)}/${random.length * probes.length} random probes\n`);
  });
});
