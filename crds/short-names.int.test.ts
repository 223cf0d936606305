/**
 * kguardian's short names are unambiguous beside the other network-policy CRDs clusters carry:
 * on a private control plane (so no other test sees these CRDs), CRDs with the short names of
 * network-policy-api (AdminNetworkPolicy anp, BaselineAdminNetworkPolicy banp,
 * ClusterNetworkPolicy cnp), Antrea (acnp, annp), Cilium (cnp, ciliumnp, ccnp) and Calico's API
 * server (cnp, caliconetworkpolicy, gnp, cgnp, snp, sgnp, sknp) are installed beside ours;
 * `kubectl api-resources` shows each of our short names on our resource only, and
 * `kubectl get <short name>` lists our objects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { kubectl } from '../test/kube/client.js';
import { installCrds, waitEstablished } from '../test/kube/crds.js';
import { applyManifest } from '../test/kube/manifest.js';
import { privateControlPlane } from '../plugin/testing/test-cluster.js';
import { AUDIT_CLUSTER_NETWORK_POLICY, AUDIT_NETWORK_POLICY, GROUP, VERSION } from '../contracts/audit-policy-api.js';

interface Foreign {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
}

/** The network-policy CRDs (and Calico's aggregated kinds) whose short names ours must not take. */
const FOREIGN: readonly Foreign[] = [
  { group: 'policy.networking.k8s.io', version: 'v1alpha1', kind: 'AdminNetworkPolicy', plural: 'adminnetworkpolicies', shortNames: ['anp'], scope: 'Cluster' },
  { group: 'policy.networking.k8s.io', version: 'v1alpha1', kind: 'BaselineAdminNetworkPolicy', plural: 'baselineadminnetworkpolicies', shortNames: ['banp'], scope: 'Cluster' },
  { group: 'policy.networking.k8s.io', version: 'v1alpha2', kind: 'ClusterNetworkPolicy', plural: 'clusternetworkpolicies', shortNames: ['cnp'], scope: 'Cluster' },
  { group: 'crd.antrea.io', version: 'v1beta1', kind: 'ClusterNetworkPolicy', plural: 'clusternetworkpolicies', shortNames: ['acnp'], scope: 'Cluster' },
  { group: 'crd.antrea.io', version: 'v1beta1', kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['annp'], scope: 'Namespaced' },
  { group: 'cilium.io', version: 'v2', kind: 'CiliumNetworkPolicy', plural: 'ciliumnetworkpolicies', shortNames: ['cnp', 'ciliumnp'], scope: 'Namespaced' },
  { group: 'cilium.io', version: 'v2', kind: 'CiliumClusterwideNetworkPolicy', plural: 'ciliumclusterwidenetworkpolicies', shortNames: ['ccnp'], scope: 'Cluster' },
  { group: 'projectcalico.org', version: 'v3', kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['cnp', 'caliconetworkpolicy', 'caliconetworkpolicies'], scope: 'Namespaced' },
  { group: 'projectcalico.org', version: 'v3', kind: 'GlobalNetworkPolicy', plural: 'globalnetworkpolicies', shortNames: ['gnp', 'cgnp', 'calicoglobalnetworkpolicies'], scope: 'Cluster' },
  { group: 'projectcalico.org', version: 'v3', kind: 'StagedNetworkPolicy', plural: 'stagednetworkpolicies', shortNames: ['snp'], scope: 'Namespaced' },
  { group: 'projectcalico.org', version: 'v3', kind: 'StagedGlobalNetworkPolicy', plural: 'stagedglobalnetworkpolicies', shortNames: ['sgnp'], scope: 'Cluster' },
  { group: 'projectcalico.org', version: 'v3', kind: 'StagedKubernetesNetworkPolicy', plural: 'stagedkubernetesnetworkpolicies', shortNames: ['sknp'], scope: 'Namespaced' },
];

function foreignCrd(f: Foreign): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    // Groups under k8s.io need this annotation, as upstream's CRDs carry it.
    metadata: { name: `${f.plural}.${f.group}`, annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/network-policy-api/pull/30' } },
    spec: {
      group: f.group,
      names: { kind: f.kind, listKind: `${f.kind}List`, plural: f.plural, singular: f.kind.toLowerCase(), shortNames: f.shortNames },
      scope: f.scope,
      versions: [{ name: f.version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
}

const OURS = [AUDIT_NETWORK_POLICY, AUDIT_CLUSTER_NETWORK_POLICY];
let plane: Awaited<ReturnType<typeof privateControlPlane>>;
const run = (args: string[], input?: string): ReturnType<typeof kubectl> => kubectl([...args, '--kubeconfig', plane.kubeconfig], input);

beforeAll(async () => {
  plane = await privateControlPlane();
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfig);
  await installCrds(kc);
  for (const f of FOREIGN) await applyManifest(kc, foreignCrd(f));
  await Promise.all(FOREIGN.map((f) => waitEstablished(kc, `${f.plural}.${f.group}`)));
  // One object of each: ours, and a foreign one under every clashing name.
  await applyManifest(kc, JSON.stringify({ apiVersion: `${GROUP}/${VERSION}`, kind: AUDIT_NETWORK_POLICY.kind, metadata: { name: 'ours', namespace: 'default' }, spec: { podSelector: {} } }));
  await applyManifest(kc, JSON.stringify({ apiVersion: `${GROUP}/${VERSION}`, kind: AUDIT_CLUSTER_NETWORK_POLICY.kind, metadata: { name: 'ours-cluster' }, spec: { podSelector: {} } }));
  for (const f of FOREIGN) {
    await applyManifest(kc, JSON.stringify({ apiVersion: `${f.group}/${f.version}`, kind: f.kind, metadata: { name: 'theirs', ...(f.scope === 'Namespaced' ? { namespace: 'default' } : {}) } }));
  }
}, 300_000);

afterAll(async () => {
  await plane.stop();
});

describe('short names beside the other network-policy CRDs', () => {
  it('none of ours is a short name of theirs', () => {
    const theirs = new Set(FOREIGN.flatMap((f) => f.shortNames));
    expect(OURS.map((o) => o.shortName).filter((s) => theirs.has(s))).toEqual([]);
  });

  it('kubectl api-resources shows each of our short names on our resource alone', async () => {
    const r = await run(['api-resources', '--no-headers', '-o', 'wide']);
    expect(r.code).toBe(0);
    // NAME SHORTNAMES APIVERSION NAMESPACED KIND VERBS...: a resource without short names has no such column cell.
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    for (const ours of OURS) {
      const holders = rows.filter((cells) => (cells[1] ?? '').split(',').includes(ours.shortName)).map((cells) => `${cells[0] ?? ''} ${cells[2] ?? ''}`);
      expect(holders).toEqual([`${ours.plural} ${GROUP}/${VERSION}`]);
    }
  });

  it.each([
    { shortName: AUDIT_NETWORK_POLICY.shortName, args: ['-n', 'default'], listed: 'auditnetworkpolicy.kguardian.dev/ours' },
    { shortName: AUDIT_CLUSTER_NETWORK_POLICY.shortName, args: [], listed: 'auditclusternetworkpolicy.kguardian.dev/ours-cluster' },
  ])('kubectl get $shortName lists ours', async ({ shortName, args, listed }) => {
    const r = await run(['get', shortName, ...args, '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${listed}\n`);
  });

  it('the names we gave up are taken on such a cluster (control: the clash is real here)', async () => {
    const r = await run(['get', 'anp', '-o', 'name']);
    expect(r.stdout).toBe('adminnetworkpolicy.policy.networking.k8s.io/theirs\n');
  });
});
