/**
 * Contract of cluster-state.ts: small incremental updates (a pod relabelled, a policy added,
 * replaced or deleted, a namespace relabelled) keep every policy's selection exactly what a
 * fresh build of the same inventory would give, from both sides (policy -> pods and
 * pod -> policies); pod IPs index pods by canonical address across reuse and dual stack;
 * hostNetwork pods are never selected; `version` moves on every change and only then.
 */
import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import type { PodOptions } from './testing/testkit.js';
import { acnp, buildState, np, podInfo, rebuildState as rebuilt } from './testing/testkit.js';
import type { PolicyKind } from './types.js';

/** Pods each policy selects, as sorted "ns/name" lists keyed by policy display name. */
function selections(state: ClusterState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of state.listPolicies()) out[p.display] = state.selectedPods(p).map((pod) => pod.key).sort();
  return out;
}

/** The index must agree with itself: pod.selectedBy is exactly the inverse of selectedPods. */
function expectConsistent(state: ClusterState): void {
  for (const pod of state.listPods()) {
    const fromPolicies = state.listPolicies().filter((p) => state.selectedPods(p).includes(pod));
    expect(new Set(pod.selectedBy)).toEqual(new Set(fromPolicies));
  }
}

const web = (ref: string, opts: PodOptions = {}): ReturnType<typeof podInfo> => podInfo(ref, { labels: { app: 'web' }, ...opts });
const selectWeb = { podSelector: { matchLabels: { app: 'web' } } };

describe('incremental updates keep selections right', () => {
  it.each<{ title: string; steps: (s: ClusterState) => void; expected: Record<string, string[]> }>([
    {
      title: 'a pod relabelled into a selector',
      steps: (s) => {
        s.upsertPolicy(np('prod/web', selectWeb));
        s.upsertPod(podInfo('prod/a', { labels: { app: 'db' } }));
        s.upsertPod(web('prod/a'));
      },
      expected: { 'prod/web': ['prod/a'] },
    },
    {
      title: 'a pod relabelled out of a selector',
      steps: (s) => {
        s.upsertPod(web('prod/a'));
        s.upsertPolicy(np('prod/web', selectWeb));
        s.upsertPod(podInfo('prod/a', { labels: { app: 'db' } }));
      },
      expected: { 'prod/web': [] },
    },
    {
      title: 'a policy added after its pods',
      steps: (s) => {
        s.upsertPod(web('prod/a'));
        s.upsertPod(web('prod/b'));
        s.upsertPod(podInfo('prod/c'));
        s.upsertPod(web('dev/d'));
        s.upsertPolicy(np('prod/web', selectWeb));
      },
      expected: { 'prod/web': ['prod/a', 'prod/b'] },
    },
    {
      title: 'a policy added before its pods and before its namespace exists',
      steps: (s) => {
        s.upsertPolicy(np('prod/web', selectWeb));
        s.upsertPod(web('prod/a'));
        s.upsertNamespace({ name: 'prod', labels: { env: 'prod' } });
      },
      expected: { 'prod/web': ['prod/a'] },
    },
    {
      title: 'a policy replaced under the same name with a new selector',
      steps: (s) => {
        s.upsertPod(web('prod/a'));
        s.upsertPod(podInfo('prod/b', { labels: { app: 'db' } }));
        s.upsertPolicy(np('prod/p', selectWeb));
        s.upsertPolicy(np('prod/p', { podSelector: { matchLabels: { app: 'db' } } }));
      },
      expected: { 'prod/p': ['prod/b'] },
    },
    {
      title: 'a policy deleted',
      steps: (s) => {
        s.upsertPod(web('prod/a'));
        s.upsertPolicy(np('prod/web', selectWeb));
        s.upsertPolicy(np('prod/all', { podSelector: {} }));
        s.deletePolicy('NetworkPolicy', 'prod', 'web');
      },
      expected: { 'prod/all': ['prod/a'] },
    },
    {
      title: 'a pod deleted',
      steps: (s) => {
        s.upsertPod(web('prod/a'));
        s.upsertPod(web('prod/b'));
        s.upsertPolicy(np('prod/web', selectWeb));
        s.deletePod('prod', 'a');
      },
      expected: { 'prod/web': ['prod/b'] },
    },
    {
      title: 'a namespace relabelled into an AuditClusterNetworkPolicy selector',
      steps: (s) => {
        s.upsertNamespace({ name: 'prod', labels: { env: 'dev' } });
        s.upsertPod(web('prod/a'));
        s.upsertPolicy(acnp('lockdown', { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: {} }));
        s.upsertNamespace({ name: 'prod', labels: { env: 'prod' } });
      },
      expected: { lockdown: ['prod/a'] },
    },
    {
      title: 'a namespace relabelled out of an AuditClusterNetworkPolicy selector',
      steps: (s) => {
        s.upsertNamespace({ name: 'prod', labels: { env: 'prod' } });
        s.upsertPod(web('prod/a'));
        s.upsertPolicy(acnp('lockdown', { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: {} }));
        s.upsertNamespace({ name: 'prod', labels: { env: 'dev' } });
      },
      expected: { lockdown: [] },
    },
    // The namespace object is gone but its pods remain: only the implicit name label is left.
    {
      title: 'a namespace deleted while its pods remain',
      steps: (s) => {
        s.upsertNamespace({ name: 'prod', labels: { env: 'prod' } });
        s.upsertPod(web('prod/a'));
        s.upsertPolicy(acnp('by-env', { namespaceSelector: { matchLabels: { env: 'prod' } } }));
        s.upsertPolicy(acnp('by-name', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }));
        s.deleteNamespace('prod');
      },
      expected: { 'by-env': [], 'by-name': ['prod/a'] },
    },
    {
      title: 'an AuditClusterNetworkPolicy with no namespaceSelector covers namespaces known only from pods',
      steps: (s) => {
        s.upsertPod(web('prod/a'));
        s.upsertPolicy(acnp('all', selectWeb));
        s.upsertPod(web('dev/b'));
        s.upsertPod(podInfo('dev/c'));
      },
      expected: { all: ['dev/b', 'prod/a'] },
    },
    {
      title: 'a namespaced policy never selects pods of another namespace',
      steps: (s) => {
        s.upsertPolicy(np('prod/all', { podSelector: {} }));
        s.upsertPod(web('dev/a'));
      },
      expected: { 'prod/all': [] },
    },
    {
      title: 'hostNetwork pods are never selected, by any kind',
      steps: (s) => {
        s.upsertPod(web('prod/host', { hostNetwork: true, ips: ['192.168.0.10'] }));
        s.upsertPolicy(np('prod/all', { podSelector: {} }));
        s.upsertPolicy(acnp('everything', {}));
        s.upsertPod(web('prod/host2', { hostNetwork: true, ips: ['192.168.0.11'] }));
      },
      expected: { 'prod/all': [], everything: [] },
    },
    {
      title: 'a pod switched to hostNetwork leaves every selection',
      steps: (s) => {
        s.upsertPod(web('prod/a', { ips: ['10.0.0.1'] }));
        s.upsertPolicy(np('prod/all', { podSelector: {} }));
        s.upsertPod(web('prod/a', { ips: ['192.168.0.10'], hostNetwork: true }));
      },
      expected: { 'prod/all': [] },
    },
    // A replacement that does not compile is not applied (see the report on upsertPolicy's comment).
    {
      title: 'an invalid policy is never added',
      steps: (s) => {
        s.upsertPod(web('prod/a'));
        s.upsertPolicy(np('prod/bad', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Is' }] } }));
      },
      expected: {},
    },
  ])('$title', ({ steps, expected }) => {
    const state = new ClusterState();
    steps(state);
    expect(selections(state)).toEqual(expected);
    expectConsistent(state);
    expect(selections(rebuilt(state))).toEqual(expected);
  });

  it('a replaced policy leaves no trace of its old compiled object on pods', () => {
    const state = buildState({ pods: [web('prod/a')], policies: [np('prod/p', selectWeb)] });
    const before = state.policy('NetworkPolicy', 'prod', 'p');
    state.upsertPolicy(np('prod/p', { podSelector: {} }));
    const after = state.policy('NetworkPolicy', 'prod', 'p');
    expect(after).not.toBe(before);
    expect([...state.pod('prod', 'a')!.selectedBy]).toEqual([after]);
  });

  it.each<{ kind: PolicyKind; namespace: string; name: string }>([
    { kind: 'NetworkPolicy', namespace: 'prod', name: 'p' },
    // A cluster-scoped policy is found whatever namespace the caller passes.
    { kind: 'AuditClusterNetworkPolicy', namespace: 'ignored', name: 'c' },
  ])('deleting $kind $name clears it from its pods', ({ kind, namespace, name }) => {
    const state = buildState({ pods: [web('prod/a')], policies: [np('prod/p', { podSelector: {} }), acnp('c', {})] });
    state.deletePolicy(kind, namespace, name);
    expect(state.policy(kind, namespace, name)).toBeUndefined();
    expect([...state.pod('prod', 'a')!.selectedBy].map((p) => p.kind)).not.toContain(kind);
    expectConsistent(state);
  });
});

describe('pod addresses', () => {
  it.each<{ title: string; steps: (s: ClusterState) => void; lookups: Record<string, string | undefined> }>([
    {
      title: 'an IP reused by a new pod: the old pod deleted afterwards does not unmap it',
      steps: (s) => {
        s.upsertPod(web('prod/old', { ips: ['10.0.0.5'] }));
        s.upsertPod(web('prod/new', { ips: ['10.0.0.5'] }));
        s.deletePod('prod', 'old');
      },
      lookups: { '10.0.0.5': 'prod/new' },
    },
    {
      title: 'an IP reused after the old pod was deleted',
      steps: (s) => {
        s.upsertPod(web('prod/old', { ips: ['10.0.0.5'] }));
        s.deletePod('prod', 'old');
        s.upsertPod(web('prod/new', { ips: ['10.0.0.5'] }));
      },
      lookups: { '10.0.0.5': 'prod/new' },
    },
    {
      title: 'a deleted pod is no longer found by IP',
      steps: (s) => {
        s.upsertPod(web('prod/a', { ips: ['10.0.0.5', 'fd00::5'] }));
        s.deletePod('prod', 'a');
      },
      lookups: { '10.0.0.5': undefined, 'fd00::5': undefined },
    },
    {
      title: 'a pod whose IP changed is found only by the new one',
      steps: (s) => {
        s.upsertPod(web('prod/a', { ips: ['10.0.0.5'] }));
        s.upsertPod(web('prod/a', { ips: ['10.0.0.6'] }));
      },
      lookups: { '10.0.0.5': undefined, '10.0.0.6': 'prod/a' },
    },
    {
      title: 'a dual-stack pod is found by either address, in any spelling',
      steps: (s) => s.upsertPod(web('prod/a', { ips: ['fd00::0007', '10.0.0.7'] })),
      lookups: { '10.0.0.7': 'prod/a', 'fd00::7': 'prod/a', 'FD00:0:0:0:0:0:0:7': 'prod/a', '::ffff:10.0.0.7': 'prod/a', 'fd00::8': undefined },
    },
    // Pod IPs come from the API server; an unparsable one is skipped, not fatal.
    {
      title: 'an unparsable pod IP is skipped',
      steps: (s) => s.upsertPod(web('prod/a', { ips: ['not-an-ip', '10.0.0.9'] })),
      lookups: { '10.0.0.9': 'prod/a', 'not-an-ip': undefined },
    },
    {
      title: 'a hostNetwork pod is not a pod-network address',
      steps: (s) => s.upsertPod(web('kube-system/agent', { ips: ['192.168.0.10'], hostNetwork: true })),
      lookups: { '192.168.0.10': undefined },
    },
  ])('$title', ({ steps, lookups }) => {
    const state = new ClusterState();
    steps(state);
    const found = Object.fromEntries(Object.keys(lookups).map((ip) => [ip, state.podByIp(ip)?.key]));
    expect(found).toEqual(lookups);
  });

  const dual = buildState({
    pods: [web('prod/a', { ips: ['10.0.0.7', 'fd00::7'] }), web('kube-system/agent', { ips: ['192.168.0.10'], hostNetwork: true })],
  });

  it.each<{ title: string; end: Parameters<ClusterState['resolve']>[0]; family: 4 | 6 | undefined; identity: string; label: string; address: string | undefined }>([
    { title: 'a pod by its IPv6 address', end: { ip: 'fd00:0::7' }, family: undefined, identity: 'pod', label: 'prod/a', address: 'fd00::7' },
    { title: 'a pod by its IPv4 address', end: { ip: '10.0.0.7' }, family: 6, identity: 'pod', label: 'prod/a', address: '10.0.0.7' },
    { title: 'a named pod, IPv6 peer: its IPv6 address', end: { namespace: 'prod', pod: 'a' }, family: 6, identity: 'pod', label: 'prod/a', address: 'fd00::7' },
    { title: 'a named pod, IPv4 peer: its IPv4 address', end: { namespace: 'prod', pod: 'a' }, family: 4, identity: 'pod', label: 'prod/a', address: '10.0.0.7' },
    { title: 'a named pod, unknown peer family: its primary address', end: { namespace: 'prod', pod: 'a' }, family: undefined, identity: 'pod', label: 'prod/a', address: '10.0.0.7' },
    // The pod stamped at observation time wins over whoever owns the IP now.
    { title: 'a named pod with an IP it no longer owns', end: { namespace: 'prod', pod: 'a', ip: '10.0.0.99' }, family: undefined, identity: 'pod', label: 'prod/a', address: '10.0.0.99' },
    { title: 'a hostNetwork pod by its address', end: { ip: '192.168.0.10' }, family: undefined, identity: 'hostNetwork', label: 'kube-system/agent', address: '192.168.0.10' },
    { title: 'an address no pod owns', end: { ip: '203.0.113.1' }, family: undefined, identity: 'unknown', label: '203.0.113.1', address: '203.0.113.1' },
    { title: 'a pod that does not exist', end: { namespace: 'prod', pod: 'ghost' }, family: 4, identity: 'unknown', label: 'prod/ghost', address: undefined },
  ])('resolve: $title', ({ end, family, identity, label, address }) => {
    const r = dual.resolve(end, family);
    expect({ identity: r.identity, label: r.label, address: r.address?.toString() }).toEqual({ identity, label, address });
  });

  it('a missing pod is reported as such', () => {
    expect(dual.resolve({ namespace: 'prod', pod: 'ghost' }, undefined)).toMatchObject({ identity: 'unknown', ref: null, missingPod: 'prod/ghost' });
  });
});

describe('version', () => {
  const base = (): ClusterState =>
    buildState({ namespaces: { prod: {} }, pods: [web('prod/a', { ips: ['10.0.0.1'] })], policies: [np('prod/p', selectWeb)] });

  it.each<{ title: string; change: (s: ClusterState) => unknown; bump: number }>([
    { title: 'a namespace added', change: (s) => { s.upsertNamespace({ name: 'dev', labels: {} }); }, bump: 1 },
    { title: 'a namespace relabelled', change: (s) => { s.upsertNamespace({ name: 'prod', labels: { env: 'prod' } }); }, bump: 1 },
    { title: 'a namespace deleted', change: (s) => { s.deleteNamespace('prod'); }, bump: 1 },
    { title: 'a namespace that does not exist deleted', change: (s) => { s.deleteNamespace('nope'); }, bump: 0 },
    { title: 'a pod added', change: (s) => s.upsertPod(web('prod/b')), bump: 1 },
    { title: 'a pod relabelled', change: (s) => s.upsertPod(podInfo('prod/a', { ips: ['10.0.0.1'] })), bump: 1 },
    { title: 'a pod deleted', change: (s) => { s.deletePod('prod', 'a'); }, bump: 1 },
    { title: 'a pod that does not exist deleted', change: (s) => { s.deletePod('prod', 'nope'); }, bump: 0 },
    { title: 'a policy added', change: (s) => s.upsertPolicy(np('prod/q', {})), bump: 1 },
    { title: 'a policy replaced', change: (s) => s.upsertPolicy(np('prod/p', {})), bump: 1 },
    { title: 'a policy that does not compile', change: (s) => s.upsertPolicy(np('prod/q', { policyTypes: ['Sideways'] })), bump: 0 },
    { title: 'a policy deleted', change: (s) => { s.deletePolicy('NetworkPolicy', 'prod', 'p'); }, bump: 1 },
    { title: 'a policy that does not exist deleted', change: (s) => { s.deletePolicy('NetworkPolicy', 'prod', 'nope'); }, bump: 0 },
    {
      title: 'two changes',
      change: (s) => {
        s.upsertPod(web('prod/b'));
        s.deletePod('prod', 'b');
      },
      bump: 2,
    },
  ])('$title bumps version by $bump', ({ change, bump }) => {
    const state = base();
    const before = state.version;
    change(state);
    expect(state.version - before).toBe(bump);
  });
});

describe('namespaces', () => {
  it.each([
    { title: 'a declared namespace carries its name label', steps: (s: ClusterState) => { s.upsertNamespace({ name: 'prod', labels: { env: 'prod' } }); }, labels: { env: 'prod', 'kubernetes.io/metadata.name': 'prod' }, declared: true },
    // The API server sets the name label; a user-supplied value cannot override it.
    { title: 'the name label cannot be spoofed', steps: (s: ClusterState) => { s.upsertNamespace({ name: 'prod', labels: { 'kubernetes.io/metadata.name': 'dev' } }); }, labels: { 'kubernetes.io/metadata.name': 'prod' }, declared: true },
    { title: 'a namespace known only from a pod', steps: (s: ClusterState) => s.upsertPod(web('prod/a')), labels: { 'kubernetes.io/metadata.name': 'prod' }, declared: false },
  ])('$title', ({ steps, labels, declared }) => {
    const state = new ClusterState();
    steps(state);
    const ns = state.namespace('prod')!;
    expect(Object.fromEntries(ns.labels)).toEqual(labels);
    expect(ns.declared).toBe(declared);
  });

  it('an empty namespace deleted is forgotten', () => {
    const state = buildState({ namespaces: { prod: {} } });
    state.deleteNamespace('prod');
    expect(state.namespace('prod')).toBeUndefined();
    expect(state.counts()).toEqual({ namespaces: 0, pods: 0, policies: 0, ips: 0 });
  });
});
