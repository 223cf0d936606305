// The pipeline with authentication on, as installed by the chart: the chart's ServiceAccounts and
// RBAC applied to a real API server, one TokenRequest token per component, every daemon with
// AUTH_MODE=kubernetes calling the API server as itself (its own kubeconfig) and the others with its
// token (agent -> broker flows, broker -> evaluator evaluations and replays, evaluator -> broker
// replays and summaries, evaluator -> API server status, Lease and Events). Real kernel traffic must
// end as verdicts and status; a person with only the bindings docs/install.md gives (verdict-reader
// in the namespace, broker-access in the release namespace) reads them with the plugin through its
// port-forward to the broker, and the audit policies with kubectl; tokens of the wrong component,
// none, or a forged one are refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../daemons/broker/testing/broker-process.js';
import type { StoredVerdict } from '../../daemons/broker/store/types.js';
import { Cleanup } from '../../playground/cleanup.js';
import { ensureNamespace, waitForStatus } from '../../playground/cluster.js';
import { startControlPlane } from '../../playground/control-plane.js';
import { kubectlFor, type Kubectl } from '../../playground/kubectl.js';
import { applyPolicy, makeTraffic, startServers, waitForCounts } from '../../playground/run-scenario.js';
import { DEFAULT_TRAFFIC, expectedCounts, FIXED_POLICY_FILE, POLICY, POLICY_FILE } from '../../playground/scenario.js';
import { LEASE_NAMESPACE, startStack, type Stack } from '../../playground/stack.js';
import { createRunningPod } from '../kube/pods.js';
import { applyChartIdentities, chartObject, componentIdentities, identityOf, RELEASE, type Component, type Identity } from './chart-identities.js';
import { replicaReports } from './evaluator-replicas.js';

/** The release namespace: the playground's Lease namespace, so the chart's leader-election Role covers it. */
const RELEASE_NAMESPACE = LEASE_NAMESPACE;
/** A person, not a component: ServiceAccount team/alice, bound as docs/install.md tells users to. */
const READER = { namespace: 'team', name: 'alice' } as const;

const cleanup = new Cleanup();
let stack: Stack;
let runDir: string;
let ids: Record<Component | 'alice', Identity>;
let alice: Kubectl;

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), 'kg-e2e-auth-'));
  cleanup.add(`remove ${runDir}`, () => { rmSync(runDir, { recursive: true, force: true }); });
  // An API server of its own: the scenario's fixed names (namespaces web and shop, the Lease) and
  // the chart's ClusterRoles stay out of the one the other e2e files share.
  const cp = await startControlPlane(join(runDir, 'controlplane'), cleanup);
  const admin = kubectlFor(cp.kubectl, cp.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  for (const ns of [RELEASE_NAMESPACE, READER.namespace, POLICY.namespace]) await ensureNamespace(kc, ns);
  await applyChartIdentities(admin, RELEASE_NAMESPACE);
  await admin.ok(['create', 'serviceaccount', READER.name, '-n', READER.namespace]);
  // Exactly the two bindings docs/install.md and NOTES.txt give a reader, and nothing else.
  const subject = `${READER.namespace}:${READER.name}`;
  await admin.ok(['create', 'rolebinding', `${READER.name}-kguardian-verdicts`, '-n', POLICY.namespace, '--clusterrole', `${RELEASE}-verdict-reader`, '--serviceaccount', subject]);
  await admin.ok(['create', 'rolebinding', `${READER.name}-kguardian-broker`, '-n', RELEASE_NAMESPACE, '--role', `${RELEASE}-broker-access`, '--serviceaccount', subject]);
  ids = { ...(await componentIdentities(kc, runDir, RELEASE_NAMESPACE)), alice: await identityOf(kc, runDir, READER.namespace, READER.name) };
  alice = kubectlFor(cp.kubectl, ids.alice.kubeconfig);
  const databaseUrl = await createDatabase(inject('databaseUrl'), 'kg_e2e_auth');
  stack = await startStack(
    { runDir, mode: 'kernel', subnet: `10.253.${randomInt(1, 255)}`, controlPlane: cp, databaseUrl, bucketMs: 1000, evaluatorReplicas: 2, credentials: ids },
    cleanup,
  );
  await exposeBroker(kc, Number(new URL(stack.broker.url).port));
}, 240_000);

/**
 * The broker as the plugin finds it in a cluster: the chart's Service, and behind it a Running,
 * Ready pod with the Service's labels whose IP is loopback, where the control plane's stand-in
 * kubelet forwards to (docs/controlplane.md); its container port named http is the broker's port.
 */
async function exposeBroker(kc: KubeConfig, port: number): Promise<void> {
  const service = await chartObject(RELEASE_NAMESPACE, 'Service', `${RELEASE}-broker`);
  const selector = (service as { spec?: { selector?: Record<string, string> } }).spec?.selector ?? {};
  await kubectlFor(stack.kubectl.binary, stack.kubectl.kubeconfig).ok(['apply', '-f', '-'], JSON.stringify(service));
  const pod = `${RELEASE}-broker-0`;
  await createRunningPod(kc, RELEASE_NAMESPACE, pod, ['127.0.0.1'], { labels: selector, ports: [{ name: 'http', containerPort: port }] });
  await kc.makeApiClient(CoreV1Api).patchNamespacedPodStatus(
    { name: pod, namespace: RELEASE_NAMESPACE, body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

afterAll(async () => {
  const failed = await cleanup.runAll();
  expect(failed).toEqual([]);
}, 120_000);

/**
 * `kubectl kguardian verdicts` as alice, with no --broker-url: the plugin finds the broker's Service
 * in namespace kguardian and port-forwards to its pod with her kubeconfig, then shows the broker
 * her token.
 */
async function verdictsAsAlice(namespace: string): Promise<StoredVerdict[]> {
  const out = await alice.ok(['kguardian', 'verdicts', '-n', namespace, '-o', 'json', '--limit', '1000']);
  return (JSON.parse(out) as { verdicts: StoredVerdict[] }).verdicts;
}

/** Counts per generation and verdict, summed over rows. */
function byGeneration(rows: readonly StoredVerdict[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of rows) t[`g${v.policy.generation} ${v.verdict}`] = (t[`g${v.policy.generation} ${v.verdict}`] ?? 0) + v.count;
  return t;
}

describe('every component on its own ServiceAccount token, with the chart\'s RBAC', () => {
  const plan = DEFAULT_TRAFFIC;

  it('kernel traffic ends as verdicts and status; alice, bound to verdict-reader in shop, reads them with the plugin', async () => {
    expect((await applyPolicy(stack, POLICY_FILE)).generation).toBe(1);
    await startServers(stack, runDir, cleanup);
    await makeTraffic(stack, plan);
    const { met, status, want } = await waitForCounts(stack, false, plan, 60_000);
    expect({ wouldDeny: status.wouldDeny, allowed: status.allowed, observed: status.observedGeneration, synced: status.synced }).toEqual({ ...want, observed: 1, synced: true });
    expect(met).toBe(true);
    expect(byGeneration(await verdictsAsAlice(POLICY.namespace))).toEqual({ 'g1 WouldDeny': want.wouldDeny, 'g1 Allow': want.allowed });
    // Leader election in the release namespace, under the chart's Role.
    expect((await replicaReports(stack.evaluators)).map((r) => r.leader).sort()).toEqual([0, 1]);
  });

  it('a policy edit is replayed (evaluator -> broker -> evaluator) and the status reaches generation 2', async () => {
    expect((await applyPolicy(stack, FIXED_POLICY_FILE)).generation).toBe(2);
    const want = expectedCounts(plan, true);
    const { met, status } = await waitForStatus(stack.kubectl, POLICY.namespace, POLICY.name, (s) => s.observedGeneration === 2 && s.synced && s.wouldDeny === want.wouldDeny && s.allowed === want.allowed, 60_000);
    expect({ observed: status.observedGeneration, wouldDeny: status.wouldDeny, allowed: status.allowed }).toEqual({ observed: 2, ...want });
    expect(met).toBe(true);
    // The replayed rows: every connection and lookup of the window judged again, now all allowed.
    const g2 = byGeneration((await verdictsAsAlice(POLICY.namespace)).filter((v) => v.policy.generation === 2));
    expect(g2).toEqual({ 'g2 Allow': want.allowed });
  });

  it('the leader wrote its would-deny Events into the policy\'s namespace', async () => {
    const events = JSON.parse(await stack.kubectl.ok(['get', 'events.events.k8s.io', '-n', POLICY.namespace, '-o', 'json'])) as { items: { regarding?: { kind?: string; name?: string } }[] };
    expect(events.items.filter((e) => e.regarding?.kind === 'AuditNetworkPolicy' && e.regarding.name === POLICY.name).length).toBeGreaterThan(0);
  });

  it('alice reads the audit policies of the namespace she is bound in, and no other', async () => {
    const shop = JSON.parse(await alice.ok(['get', 'kganp', '-n', POLICY.namespace, '-o', 'json'])) as { items: { metadata: { name: string } }[] };
    expect(shop.items.map((p) => p.metadata.name)).toEqual([POLICY.name]);
    const web = await alice.run(['get', 'kganp', '-n', 'web']);
    expect(web.code).toBe(1);
    expect(web.stderr).toMatch(/forbidden.*cannot list resource "auditnetworkpolicies"/);
  });

  it('no component was refused by the API server or by another component along the way', () => {
    const daemons = [stack.broker, ...stack.evaluators, ...(stack.agent ? [stack.agent] : [])].map((s) => s.daemon);
    const refused = daemons.flatMap((d) => d.lines.filter((l) => /\b40[13]\b|forbidden|unauthori[sz]ed/i.test(l)).map((l) => `${d.name}: ${l}`));
    expect(refused).toEqual([]);
  });
});

type Caller = Component | 'alice' | 'no token' | 'a forged token';

describe('who may do what', () => {
  const headers = (who: Caller): Record<string, string> => {
    if (who === 'no token') return {};
    if (who === 'a forged token') return { Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.forged' };
    return { Authorization: `Bearer ${ids[who].token}` };
  };
  const rows: { who: Caller; daemon: 'broker' | 'evaluator'; method: 'GET' | 'POST'; path: string; status: number }[] = [
    { who: 'no token', daemon: 'broker', method: 'GET', path: '/audit/verdicts?namespace=shop', status: 401 },
    { who: 'a forged token', daemon: 'broker', method: 'GET', path: '/audit/verdicts?namespace=shop', status: 401 },
    { who: 'agent', daemon: 'broker', method: 'GET', path: '/audit/verdicts?namespace=shop', status: 403 },
    { who: 'agent', daemon: 'broker', method: 'GET', path: '/v1/flows', status: 403 },
    { who: 'agent', daemon: 'broker', method: 'POST', path: '/v1/replays', status: 403 },
    { who: 'broker', daemon: 'broker', method: 'GET', path: '/audit/verdicts?namespace=shop', status: 403 },
    { who: 'evaluator', daemon: 'broker', method: 'POST', path: '/v1/flows', status: 403 },
    { who: 'evaluator', daemon: 'broker', method: 'GET', path: '/audit/summary?namespace=shop', status: 200 },
    { who: 'alice', daemon: 'broker', method: 'GET', path: '/audit/verdicts?namespace=shop', status: 200 },
    { who: 'alice', daemon: 'broker', method: 'GET', path: '/audit/verdicts?namespace=web', status: 403 },
    { who: 'alice', daemon: 'broker', method: 'GET', path: '/audit/verdicts', status: 403 },
    { who: 'alice', daemon: 'broker', method: 'POST', path: '/v1/flows', status: 403 },
    { who: 'alice', daemon: 'broker', method: 'POST', path: '/v1/replays', status: 403 },
    { who: 'no token', daemon: 'evaluator', method: 'POST', path: '/evaluate', status: 401 },
    { who: 'agent', daemon: 'evaluator', method: 'POST', path: '/evaluate', status: 403 },
    { who: 'evaluator', daemon: 'evaluator', method: 'POST', path: '/evaluate', status: 403 },
    { who: 'alice', daemon: 'evaluator', method: 'POST', path: '/evaluate', status: 403 },
  ];

  it.each(rows)('$who: $method $path on the $daemon -> $status', async ({ who, daemon, method, path, status }) => {
    const base = daemon === 'broker' ? stack.broker.url : (stack.evaluators.at(-1)?.url ?? '');
    const r = await fetch(`${base}${path}`, { method, headers: { ...headers(who), 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}), signal: AbortSignal.timeout(10_000) });
    expect(r.status).toBe(status);
  });

  it('the plugin with the agent\'s token is told which permission it lacks', async () => {
    const r = await alice.run(['kguardian', 'verdicts', '-n', POLICY.namespace, '--token', ids.agent.token]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/forbidden \(403.*needs RBAC permission `get auditverdicts.kguardian.dev` in namespace shop/);
  });
});
