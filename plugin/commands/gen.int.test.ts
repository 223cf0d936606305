/**
 * `gen networkpolicy` on live inputs: the workloads of a real API server (a Deployment with its
 * ReplicaSet and pod, a StatefulSet's pod, linked by real ownerReferences with uids) and the flows
 * a real broker recorded, reached through the port-forward the plugin opens, with a ServiceAccount
 * token the broker checks. The generated AuditNetworkPolicies are applied to the API server (the
 * CRD accepts them), `audit test` on the same live inputs finds no would-deny, and --holdout
 * reads the last part of the window apart and reports the flow it had not learned.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1OwnerReference } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBroker, type Broker } from '../../daemons/broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../../daemons/broker/testing/test-database.js';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace, deleteTestNamespace } from '../../test/kube/namespace.js';
import { createRunningPod, setPodStatus, TEST_NODE } from '../../test/kube/pods.js';
import { grant, manifest, RULES, serviceAccounts } from '../../test/kube/rbac.js';
import { serviceAccountToken } from '../../test/kube/service-account-token.js';
import { policyRef, seedDay, Seeder, type SeedRow } from '../broker/testing/seed.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

let kc: KubeConfig;
let ns: string;
let db: TestDatabase;
let seeder: Seeder;
let broker: Broker;
let dir: string;
let token = '';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO('', dir);
  const code = await runCli([...args, '--kubeconfig', kubeconfigPath(), '--broker-namespace', ns], io);
  return { code, out: io.out(), err: io.err() };
}

const RBAC = (namespace: string): string =>
  manifest(
    serviceAccounts('reader'),
    grant({ role: 'port-forward', namespace, to: ['reader'], rules: RULES.portForward }),
    grant({ role: 'flow-reader', namespace, to: ['reader'], rules: [RULES.readFlows], cluster: true }),
  );

function ownedBy(kind: string, name: string, uid: string | undefined): V1OwnerReference[] {
  return [{ apiVersion: 'apps/v1', kind, name, uid: uid ?? '', controller: true }];
}

/** A pod owned by a controller, reported Running with one IP (no kubelet runs it). */
async function ownedPod(name: string, labels: Record<string, string>, owner: V1OwnerReference[], ip: string, ports: { name: string; containerPort: number }[] = []): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: ns,
    body: { metadata: { name, labels, ownerReferences: owner }, spec: { nodeName: TEST_NODE, containers: [{ name: 'main', image: 'registry.invalid/kguardian-test:never-pulled', ports }] } },
  });
  await setPodStatus(kc, ns, name, { phase: 'Running', podIPs: [ip] });
}

async function workloads(): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const template = (labels: Record<string, string>): { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; image: string }[] } } => ({
    metadata: { labels },
    spec: { containers: [{ name: 'main', image: 'registry.invalid/kguardian-test:never-pulled' }] },
  });
  const web = await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', tier: 'front' }) } } });
  const rs = await apps.createNamespacedReplicaSet({
    namespace: ns,
    body: {
      metadata: { name: 'web-5c9d', ownerReferences: ownedBy('Deployment', 'web', web.metadata?.uid) },
      spec: { selector: { matchLabels: { app: 'web', 'pod-template-hash': '5c9d' } }, template: template({ app: 'web', tier: 'front', 'pod-template-hash': '5c9d' }) },
    },
  });
  await ownedPod('web-5c9d-a', { app: 'web', tier: 'front', 'pod-template-hash': '5c9d' }, ownedBy('ReplicaSet', 'web-5c9d', rs.metadata?.uid), '10.244.8.1');
  const sts = await apps.createNamespacedStatefulSet({ namespace: ns, body: { metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } } });
  await ownedPod('db-0', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }, ownedBy('StatefulSet', 'db', sts.metadata?.uid), '10.244.8.2', [{ name: 'pg', containerPort: 5432 }]);
}

/** Seconds after 10:00 on the seed day that fall `minutesAgo` before now (the seed day is yesterday). */
function secondAgo(minutesAgo: number): number {
  return Math.floor((Date.now() - Date.parse(`${seedDay()}T10:00:00.000Z`)) / 1000) - minutesAgo * 60;
}

beforeAll(async () => {
  kc = kubeConfig();
  dir = mkdtempSync(join(tmpdir(), 'kg-gen-'));
  ns = await createTestNamespace(kc, 'kg-gen');
  await installCrds(kc);
  await applyManifest(kc, RBAC(ns), ns);
  token = await serviceAccountToken(kc, ns, 'reader');
  await workloads();

  db = await createTestDatabase(inject('databaseUrl'), 'plugin_gen');
  seeder = await Seeder.open(db.url);
  const verdict = { policy: policyRef(ns, 'none'), direction: 'Egress' as const, verdict: 'Allow' as const, reason: 'seeded' };
  const rows: SeedRow[] = [
    // Yesterday: web talks to the database and to one outside address.
    { srcPod: 'web-5c9d-a', srcNamespace: ns, dst: { namespace: ns, pod: 'db-0', ip: '10.244.8.2', port: 5432 }, second: 1, verdict },
    { srcPod: 'web-5c9d-a', srcNamespace: ns, dst: { ip: '203.0.113.10', port: 443 }, second: 2, verdict },
    // Ten minutes ago, a port web had never used.
    { srcPod: 'web-5c9d-a', srcNamespace: ns, dst: { namespace: ns, pod: 'db-0', ip: '10.244.8.2', port: 6432 }, second: secondAgo(10), verdict },
  ];
  await seeder.add(rows);
  broker = await startBroker({ DATABASE_URL: db.url, AUTH_MODE: 'kubernetes', KUBECONFIG: kubeconfigPath() });
  // The broker "runs" in a pod whose IP is loopback: the stand-in kubelet forwards to it there.
  await createRunningPod(kc, ns, 'kguardian-broker-0', ['127.0.0.1'], { labels: { app: 'kguardian-broker' } });
  await kc
    .makeApiClient(CoreV1Api)
    .patchNamespacedPodStatus({ name: 'kguardian-broker-0', namespace: ns, body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await kc.makeApiClient(CoreV1Api).createNamespacedService({
    namespace: ns,
    body: { metadata: { name: 'kguardian-broker' }, spec: { selector: { app: 'kguardian-broker' }, ports: [{ name: 'http', port: 80, targetPort: broker.port }] } },
  });
});

afterAll(async () => {
  await broker.kill();
  await seeder.close();
  await db.drop();
  await deleteTestNamespace(kc, ns);
});

interface Policy {
  kind: string;
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: { podSelector: unknown; egress?: { to: unknown[]; ports: unknown[] }[]; ingress?: { from: unknown[]; ports: unknown[] }[] };
}

describe('gen networkpolicy with the live cluster and the broker', () => {
  it('one policy per workload, grouped through real ownerReferences, from the recorded flows', async () => {
    const r = await cli(['gen', 'networkpolicy', '-n', ns, '--since', '48h', '-o', 'json', '--token', token]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { items: Policy[] };
    expect(list.items.map((p) => `${p.kind} ${p.metadata.name}`)).toEqual(['AuditNetworkPolicy gen-db', 'AuditNetworkPolicy gen-web']);
    const [gdb, web] = list.items;
    expect(web?.spec.podSelector).toEqual({ matchLabels: { app: 'web', tier: 'front' } });
    expect(web?.spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 6432 }, { protocol: 'TCP', port: 'pg' }] },
      { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    expect(gdb?.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { app: 'web', tier: 'front' } } }], ports: [{ protocol: 'TCP', port: 6432 }, { protocol: 'TCP', port: 'pg' }] }]);
    expect(web?.metadata.annotations['kguardian.dev/generated-for']).toBe('Deployment/web');
    expect(web?.metadata.annotations['kguardian.dev/generated-from']).toMatch(/^broker flows since 48h: 3 flows, /);
    expect(web?.metadata.annotations['kguardian.dev/generated-rules']).toMatch(new RegExp(`^egress\\[0\\]: 2 flows, ${seedDay()}T10:00:01Z to `));
    // The broker's own pod was seen in no flow: left out, said so.
    expect(r.err).toContain(`skipped: ${ns}/pod/kguardian-broker-0: no flows were observed in the window`);
  });

  it('the CRD accepts the generated policies, and audit test on the same live inputs finds no would-deny', async () => {
    const r = await cli(['gen', 'networkpolicy', '-n', ns, '--since', '48h', '--token', token]);
    expect(r.code).toBe(0);
    await applyManifest(kc, r.out, ns);
    const stored = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'kguardian.dev', version: 'v1alpha1', namespace: ns, plural: 'auditnetworkpolicies' })) as { items: Policy[] };
    expect(stored.items.map((p) => p.metadata.name).sort()).toEqual(['gen-db', 'gen-web']);
    const file = join(dir, 'generated.yaml');
    writeFileSync(file, r.out);
    const audit = await cli(['audit', 'test', '-f', file, '--since', '48h', '-o', 'json', '--token', token]);
    expect(audit.code).toBe(0);
    expect((JSON.parse(audit.out) as { summary: { flows: number; denied: number } }).summary).toMatchObject({ flows: 3, denied: 0 });
    const docs: unknown[] = yaml.loadAll(r.out);
    expect(docs).toHaveLength(2);
  });

  it('--holdout 1h learns from the day before and reports the new port of the last hour', async () => {
    const r = await cli(['gen', 'networkpolicy', 'web', '-n', ns, '--since', '48h', '--holdout', '1h', '--token', token]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('6432');
    expect(r.err).toMatch(/held-out window \S+ to \S+: 1 flow line judged; the generated policies would deny 1 of them \(1 flow\):/);
    expect(r.err).toContain(`Egress ${ns}/web-5c9d-a -> ${ns}/db-0 6432/TCP: AuditNetworkPolicy ${ns}/gen-web selects ${ns}/web-5c9d-a, but no egress rule allows 6432/TCP`);
  });

  it('a token the broker refuses: the reason, exit 1, nothing printed', async () => {
    const r = await cli(['gen', 'networkpolicy', '-n', ns, '--token', 'not-a-token']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/the broker refused the token \(401/);
  });
});
