/**
 * The plugin reaching a real broker the way users do: through the port-forward it opens itself
 * (the test control plane's stand-in kubelet forwards to a broker listening on the pod's loopback
 * IP), with ServiceAccount tokens that the broker checks with real TokenReview and
 * SubjectAccessReview. Also the errors with their next step, and `audit test` on live inputs:
 * the live cluster's pods and the broker's recorded flows.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBroker, type Broker } from '../../daemons/broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../../daemons/broker/testing/test-database.js';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace, deleteTestNamespace } from '../../test/kube/namespace.js';
import { createEndpointSlice, createRunningPod } from '../../test/kube/pods.js';
import { grant, manifest, RULES, serviceAccounts } from '../../test/kube/rbac.js';
import { memoryIO } from '../io.js';
import { runVerdicts, verdictsRun } from '../commands/verdicts.js';
import { runCli } from '../main.js';
import { policyRef, Seeder } from './testing/seed.js';
import { serviceAccountToken } from '../../test/kube/service-account-token.js';
import { tokenKubeconfig } from '../../test/kube/token-kubeconfig.js';

let kc: KubeConfig;
let ns: string;
let db: TestDatabase;
let seeder: Seeder;
let broker: Broker;
const tokens: Record<string, string> = {};
let dir: string;

const tokenFor = (name: string): Promise<string> => serviceAccountToken(kc, ns, name);

/** A kubeconfig for the same cluster whose user is ServiceAccount `sa` (a bearer token, no certificate). */
const saKubeconfig = (sa: string): string => tokenKubeconfig(kc, join(dir, `${sa}.kubeconfig`), tokens[sa] ?? '', ns);

async function cli(args: string[], kubeconfig = kubeconfigPath()): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO('', dir);
  const code = await runCli([...args, '--kubeconfig', kubeconfig, '--broker-namespace', ns], io);
  return { code, out: io.out(), err: io.err() };
}

/** What a kubelet reports once the readiness probe passes. */
async function markReady(pod: string): Promise<void> {
  await kc
    .makeApiClient(CoreV1Api)
    .patchNamespacedPodStatus({ name: pod, namespace: ns, body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

const RBAC = (namespace: string): string =>
  manifest(serviceAccounts('reader', 'nobody'), grant({ role: 'verdict-reader', namespace, to: ['reader'], rules: [RULES.readVerdicts, ...RULES.portForward] }));

const FLOW_READER = (namespace: string): string => grant({ role: 'flow-reader', namespace, to: ['reader'], rules: [RULES.readFlows], cluster: true });

beforeAll(async () => {
  kc = kubeConfig();
  dir = mkdtempSync(join(tmpdir(), 'kg-connect-'));
  ns = await createTestNamespace(kc, 'kg-plugin');
  await applyManifest(kc, RBAC(ns), ns);
  await applyManifest(kc, FLOW_READER(ns));
  tokens.reader = await tokenFor('reader');
  tokens.nobody = await tokenFor('nobody');

  db = await createTestDatabase(inject('databaseUrl'), 'plugin_connect');
  seeder = await Seeder.open(db.url);
  await seeder.add([
    { srcPod: 'web-1', srcNamespace: ns, dst: { namespace: ns, pod: 'db-0', ip: '10.244.7.2', port: 5432 }, second: 1, verdict: { policy: policyRef(ns, 'db-ingress'), direction: 'Ingress', verdict: 'Allow', reason: 'allowed by ingress rule 0' } },
    { srcPod: 'batch-1', srcNamespace: ns, dst: { namespace: ns, pod: 'db-0', ip: '10.244.7.2', port: 5432 }, second: 2, verdict: { policy: policyRef(ns, 'db-ingress'), direction: 'Ingress', verdict: 'WouldDeny', reason: 'not allowed by any ingress rule' } },
  ]);
  // The broker checks tokens against the test API server, as it would in a cluster.
  broker = await startBroker({ DATABASE_URL: db.url, AUTH_MODE: 'kubernetes', KUBECONFIG: kubeconfigPath() });

  // The broker "runs" in pod kguardian-broker-0, whose IP is loopback: the stand-in kubelet dials it
  // there. An EndpointSlice may not hold a loopback address, so the plugin finds this pod through
  // the Service's selector (Running and Ready); the slice path has its own test below.
  await createRunningPod(kc, ns, 'kguardian-broker-0', ['127.0.0.1'], { labels: { app: 'kguardian-broker' } });
  await markReady('kguardian-broker-0');
  await kc.makeApiClient(CoreV1Api).createNamespacedService({
    namespace: ns,
    body: { metadata: { name: 'kguardian-broker' }, spec: { selector: { app: 'kguardian-broker' }, ports: [{ name: 'http', port: 80, targetPort: broker.port }] } },
  });
  // Pods of the live cluster for `audit test`; the flows above name them.
  await createRunningPod(kc, ns, 'web-1', ['10.244.7.1'], { labels: { app: 'web' } });
  await createRunningPod(kc, ns, 'batch-1', ['10.244.7.3'], { labels: { app: 'batch' } });
  await createRunningPod(kc, ns, 'db-0', ['10.244.7.2'], { labels: { app: 'db' } });
});

afterAll(async () => {
  await broker.kill();
  await seeder.close();
  await db.drop();
  await deleteTestNamespace(kc, ns);
});

describe('through the port-forward the plugin opens', () => {
  it('reads verdicts with --token', async () => {
    const r = await cli(['verdicts', '-n', ns, '--no-headers', '--token', tokens.reader ?? '']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // With -n the POLICY column (the second) is the bare name: the namespace is the one asked for.
    const rows = r.out.split('\n').filter(Boolean).map((l) => l.split(/\s{2,}/));
    expect(rows).toHaveLength(2);
    expect(rows.map((cols) => cols[1])).toEqual(['db-ingress', 'db-ingress']);
  });

  it("uses the kubeconfig user's own token (for the port-forward and for the broker)", async () => {
    const r = await cli(['verdicts', '--verdict', 'WouldDeny', '-o', 'json'], saKubeconfig('reader'));
    expect(r.err).toBe('');
    const rows = (JSON.parse(r.out) as { verdicts: { src: { pod: string } }[] }).verdicts;
    expect(rows.map((v) => v.src.pod)).toEqual(['batch-1']); // -n defaulted to the context's namespace
  });
});

describe('errors name the next step', () => {
  it.each([
    { what: 'a certificate user and no --token', args: () => ['verdicts', '-n', ns], message: /the broker asks for a bearer token \(401\).*--token TOKEN or --token-file FILE/ },
    { what: 'an invalid token', args: () => ['verdicts', '-n', ns, '--token', 'not-a-token'], message: /the broker refused the token \(401/ },
    { what: 'a token without RBAC', args: () => ['verdicts', '-n', ns, '--token', tokens.nobody ?? ''], message: new RegExp(`forbidden \\(403.*needs RBAC permission \`get auditverdicts.kguardian.dev\` in namespace kg-plugin-[0-9a-f]{6}:`) },
    { what: 'a namespaced reader asking for -A', args: () => ['verdicts', '-A', '--token', tokens.reader ?? ''], message: /needs RBAC permission `get auditverdicts.kguardian.dev` cluster-wide/ },
  ])('$what: exit 1 with the fix', async ({ args, message }) => {
    const r = await cli(args());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a broker Service that does not exist', async () => {
    const io = memoryIO();
    const code = await runCli(['verdicts', '-A', '--kubeconfig', kubeconfigPath(), '--broker-namespace', 'no-such-namespace'], io);
    expect(code).toBe(1);
    expect(io.err()).toBe('error: broker service no-such-namespace/kguardian-broker not found: is kguardian installed? Try --broker-namespace/--broker-service, or give its URL with --broker-url or KGUARDIAN_BROKER_URL\n');
  });

  it('a broker Service with no ready pod', async () => {
    await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: ns, body: { metadata: { name: 'idle-broker' }, spec: { selector: { app: 'idle' }, ports: [{ port: 80 }] } } });
    await createRunningPod(kc, ns, 'idle-0', ['127.0.0.1'], { labels: { app: 'idle' } }); // Running but never Ready
    const r = await cli(['verdicts', '-n', ns, '--broker-service', 'idle-broker', '--token', 'x']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`no ready broker pod behind service ${ns}/idle-broker`);
  });

  it('a pod chosen from the EndpointSlice that cannot be forwarded to: the kubelet says why', async () => {
    await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: ns, body: { metadata: { name: 'far-broker' }, spec: { selector: { app: 'far' }, ports: [{ name: 'http', port: 80, targetPort: 9090 }] } } });
    await createRunningPod(kc, ns, 'far-0', ['10.244.9.9'], { labels: { app: 'far' } });
    await createEndpointSlice(kc, ns, 'far-broker', [{ pod: 'far-0', ip: '10.244.9.9' }], [{ name: 'http', port: 9090 }]);
    const r = await cli(['verdicts', '-n', ns, '--broker-service', 'far-broker', '--token', 'x']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`port-forward to ${ns}/far-0:9090 failed`);
    expect(r.err).toContain('only forwards to loopback pod IPs');
    expect(r.err).toMatch(/error: cannot reach the broker at http:\/\/127\.0\.0\.1:\d+/);
  });
});

describe('audit test with live inputs', () => {
  const policy = (namespace: string): string => `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: db-ingress, namespace: ${namespace} }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: web } } }]
      ports: [{ protocol: TCP, port: 5432 }]
`;

  it("judges the broker's recorded flows against the live cluster", async () => {
    writeFileSync(join(dir, 'db.yaml'), policy(ns));
    // The seed day is yesterday, 10:00 UTC: within 48 hours.
    const r = await cli(['audit', 'test', '-f', 'db.yaml', '--since', '48h', '-o', 'json', '--token', tokens.reader ?? '']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { summary: { flows: number; denied: number }; flows: { flow: { src: { pod?: string } }; effective: { allowed: boolean } }[] };
    expect(report.summary).toMatchObject({ flows: 2, denied: 1 });
    const denied = report.flows.filter((f) => !f.effective.allowed).map((f) => f.flow.src.pod);
    expect(denied).toEqual(['batch-1']);
  });

  it('flows of a pod deleted since they were recorded are reported apart, as unknown pods', async () => {
    // web-gone talked to db-0 yesterday and has been deleted since. Its verdict is for a policy
    // elsewhere, so the verdict listings of this namespace stay as the other tests expect.
    const core = kc.makeApiClient(CoreV1Api);
    await createRunningPod(kc, ns, 'web-gone', ['10.244.7.9'], { labels: { app: 'web' } });
    await seeder.add([{ srcPod: 'web-gone', srcNamespace: ns, dst: { namespace: ns, pod: 'db-0', ip: '10.244.7.2', port: 5432 }, second: 30, verdict: { policy: policyRef('elsewhere', 'x'), direction: 'Ingress', verdict: 'Allow', reason: 'seeded' } }]);
    await core.deleteNamespacedPod({ namespace: ns, name: 'web-gone', gracePeriodSeconds: 0 });
    for (let i = 0; (await core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=web-gone' })).items.length > 0; i++) {
      if (i > 100) throw new Error('pod web-gone was not deleted within 10s');
      await new Promise((r) => setTimeout(r, 100));
    }
    writeFileSync(join(dir, 'db.yaml'), policy(ns));
    const args = ['audit', 'test', '-f', 'db.yaml', '--since', '48h', '--token', tokens.reader ?? ''];
    const json = await cli([...args, '-o', 'json']);
    expect(json.err).toBe('');
    const report = JSON.parse(json.out) as { summary: Record<string, number>; flows: { flow: { src: { pod?: string } }; unknownPods: string[]; effective: { allowed: boolean } }[] };
    // Allowed while it ran (app=web), denied now only because the engine no longer knows the pod.
    expect(report.summary).toMatchObject({ flows: 3, denied: 2, unknownPods: 1, deniedUnknownPods: 1 });
    expect(report.flows.filter((f) => f.unknownPods.length > 0).map((f) => [f.flow.src.pod, f.unknownPods, f.effective.allowed])).toEqual([['web-gone', [`${ns}/web-gone`], false]]);
    const table = await cli(args);
    expect(table.out).toContain(`${ns}/web-gone (unknown pod)`);
    expect(table.out).toContain(`Note: 1 flow (denied) names a pod the cluster does not have (${ns}/web-gone)`);
  });

  it('--since that excludes the recorded flows replays nothing', async () => {
    writeFileSync(join(dir, 'db.yaml'), policy(ns));
    const r = await cli(['audit', 'test', '-f', 'db.yaml', '--since', '1m', '-o', 'json', '--token', tokens.reader ?? '']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { summary: { flows: number } }).summary.flows).toBe(0);
  });

  it('a token that may not read flows gets the permission named', async () => {
    writeFileSync(join(dir, 'db.yaml'), policy(ns));
    const r = await cli(['audit', 'test', '-f', 'db.yaml', '--cluster', 'db.yaml', '--token', tokens.nobody ?? '']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/needs RBAC permission `get flows.kguardian.dev` cluster-wide/);
  });
});

describe('--watch through the port-forward', () => {
  async function until(what: string, check: () => boolean, ms = 45_000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const row = (second: number): Parameters<Seeder['add']>[0][number] => ({
    srcPod: `watch-${second}`,
    srcNamespace: ns,
    dst: { namespace: ns, pod: 'db-0', ip: '10.244.7.2', port: 5432 },
    second,
    verdict: { policy: policyRef(ns, 'db-ingress'), direction: 'Ingress', verdict: 'WouldDeny', reason: `watched ${second}` },
  });

  it('follows the broker to a new pod after a restart: every row exactly once', async () => {
    const io = memoryIO('', dir);
    const abort = new AbortController();
    const run = verdictsRun({ kubeconfig: kubeconfigPath(), brokerNamespace: ns, n: ns, watch: true, o: 'json', limit: 100, headers: true, token: tokens.reader });
    const watching = runVerdicts(run, io, abort.signal);
    const seen = (): string[] => io.out().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { src: { pod: string } }).src.pod);
    await until('the rows so far', () => seen().length === 2);
    await seeder.add([row(100)]);
    await until('a row stored while watching', () => seen().length === 3);

    // A rollout: the old pod goes, a new one (another name) becomes ready, the broker restarts.
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace: ns, name: 'kguardian-broker-0', gracePeriodSeconds: 0 });
    await createRunningPod(kc, ns, 'kguardian-broker-1', ['127.0.0.1'], { labels: { app: 'kguardian-broker' } });
    await markReady('kguardian-broker-1');
    const port = broker.port;
    await broker.kill();
    await seeder.add([row(101)]);
    broker = await startBroker({ DATABASE_URL: db.url, AUTH_MODE: 'kubernetes', KUBECONFIG: kubeconfigPath() }, port);
    await seeder.add([row(102)]);
    await until('every row after the rollout', () => seen().length >= 5);
    await new Promise((r) => setTimeout(r, 1500)); // a repeat would arrive within a poll interval
    abort.abort();
    expect(await watching).toBe(0);
    expect(seen()).toEqual(['web-1', 'batch-1', 'watch-100', 'watch-101', 'watch-102']);
    expect(io.err()).toContain('reconnecting');
  });
});
