/**
 * Contract of the caches evaluation reads: each pod's judged policy lists
 * (judged-policies.ts), ends resolved by IP (ClusterState.resolve) and the reason fragments
 * kept on compiled policies (explain.ts). On a state whose caches are warm, every incremental
 * change must leave every evaluation exactly what a fresh build of the same inventory gives.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterState } from './cluster-state.js';
import { evaluateFlow } from './evaluate.js';
import { judgedPolicies } from './judged-policies.js';
import { acnp, anp, buildState, np, podInfo, rebuildState } from './testing/testkit.js';
import type { Flow, FlowEndpoint } from './types.js';

const EXTERNAL = ['203.0.113.9', '10.9.9.9', 'fd00::99'];

/** Every pod by IP and by name, plus addresses no pod owns. */
function ends(state: ClusterState): FlowEndpoint[] {
  const out: FlowEndpoint[] = EXTERNAL.map((ip) => ({ ip }));
  for (const pod of state.listPods()) {
    out.push({ namespace: pod.info.namespace, pod: pod.info.name });
    for (const ip of pod.info.ips) out.push({ ip });
  }
  return out;
}

function flows(state: ClusterState): Flow[] {
  const all = ends(state);
  return all.flatMap((src) => all.flatMap((dst) => [80, 53].map((port): Flow => ({ src, dst, protocol: port === 53 ? 'UDP' : 'TCP', port }))));
}

/** Evaluates every flow, so every cache is filled before the next change. */
function warm(state: ClusterState): void {
  for (const f of flows(state)) evaluateFlow(state, f);
}

/** Each pod's judged lists, as "kind display" strings keyed by pod. */
function judged(state: ClusterState): Record<string, { egress: string[]; ingress: string[] }> {
  const out: Record<string, { egress: string[]; ingress: string[] }> = {};
  for (const pod of state.listPods()) {
    const j = judgedPolicies(pod);
    out[pod.key] = { egress: j.egress.map((p) => `${p.kind} ${p.display}`), ingress: j.ingress.map((p) => `${p.kind} ${p.display}`) };
  }
  return out;
}

const pods = [
  podInfo('prod/web', { labels: { app: 'web' }, ips: ['10.0.0.1', 'fd00::1'], ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }),
  podInfo('prod/db', { labels: { app: 'db' }, ips: ['10.0.0.2'] }),
  podInfo('dev/api', { labels: { app: 'api' }, ips: ['10.1.0.3'] }),
  podInfo('kube-system/agent', { ips: ['192.168.0.10'], hostNetwork: true }),
];
const policies = [
  np('prod/web-in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'http' }] }] }),
  anp('prod/db-lock', {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
  }),
  acnp('dev-all', { namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
];

describe('evaluation caches follow incremental changes', () => {
  it.each<{ title: string; change: (s: ClusterState) => void }>([
    { title: 'a pod relabelled into a policy', change: (s) => s.upsertPod({ ...pods[2]!, namespace: 'prod', name: 'db', labels: { app: 'web' } }) },
    { title: 'a pod relabelled out of every policy', change: (s) => s.upsertPod({ ...pods[0]!, labels: { app: 'none' } }) },
    { title: 'a pod deleted', change: (s) => { s.deletePod('prod', 'web'); } },
    {
      title: 'a pod deleted and its IP reused by another pod',
      change: (s) => {
        s.deletePod('prod', 'db');
        s.upsertPod(podInfo('dev/new', { labels: { app: 'db' }, ips: ['10.0.0.2'] }));
      },
    },
    { title: 'a pod moved to a new IP', change: (s) => s.upsertPod({ ...pods[1]!, ips: ['10.0.0.20'] }) },
    { title: 'a pod switched to hostNetwork', change: (s) => s.upsertPod({ ...pods[0]!, ips: ['192.168.0.10'], hostNetwork: true }) },
    { title: 'a named port removed from the destination', change: (s) => s.upsertPod({ ...pods[0]!, ports: [] }) },
    { title: 'a namespace relabelled into a cluster policy', change: (s) => { s.upsertNamespace({ name: 'prod', labels: { env: 'dev' } }); } },
    { title: 'a namespace relabelled out of a cluster policy', change: (s) => { s.upsertNamespace({ name: 'dev', labels: { env: 'prod' } }); } },
    { title: 'a namespace deleted while its pods remain', change: (s) => { s.deleteNamespace('dev'); } },
    // Same name, new rules: reasons must quote the new rules, not the old policy's cached sentence parts.
    {
      title: 'a policy replaced with different rules',
      change: (s) => s.upsertPolicy(np('prod/web-in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 53, protocol: 'UDP' }] }, {}] })),
    },
    { title: 'a policy replaced with another target', change: (s) => s.upsertPolicy(anp('prod/db-lock', { podSelector: {}, policyTypes: ['Egress'] })) },
    { title: 'a policy deleted', change: (s) => { s.deletePolicy('AuditNetworkPolicy', 'prod', 'db-lock'); } },
    { title: 'a policy added that sorts before the others', change: (s) => s.upsertPolicy(np('prod/a-first', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })) },
    { title: 'a policy replaced by one that does not compile', change: (s) => s.upsertPolicy(np('prod/web-in', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Is' }] } })) },
  ])('$title', ({ change }) => {
    const state = buildState({ namespaces: { prod: { env: 'prod' }, dev: { env: 'dev' } }, pods, policies });
    warm(state);
    change(state);
    const fresh = rebuildState(state);
    expect(judged(state)).toEqual(judged(fresh));
    for (const f of flows(fresh)) expect(evaluateFlow(state, f)).toEqual(evaluateFlow(fresh, f));
  });

  it('evaluations own their pod references: changing one does not change the next', () => {
    const state = buildState({ pods, policies });
    const first = evaluateFlow(state, { src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, protocol: 'TCP', port: 80 });
    first.src!.pod = 'changed';
    expect(evaluateFlow(state, { src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, protocol: 'TCP', port: 80 }).src).toEqual({ namespace: 'prod', pod: 'web' });
  });
});
