/**
 * The evaluator's /metrics after real work: a real API server with the CRDs, a broker process
 * over PostgreSQL, two in-process replicas (leader and follower). An AuditNetworkPolicy is
 * applied and flows fed through the broker until its status shows the counts and a WouldDeny
 * Event exists; then each replica's GET /metrics must show what happened: evaluate latency and
 * batch sizes, evaluations by result, informer freshness and event counts per kind, status
 * writes, Events emitted, replays by outcome, the leader gauge and lease transitions, on the
 * leader only where only the leader acts. Finally the leader steps down and the gauges swap.
 */
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeConfig } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { createRunningPod } from '../../test/kube/pods.js';
import { freePort, startBroker, type Broker } from '../broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../broker/testing/test-database.js';
import { eventually, postFlows, untilPodsHeld, startEvaluatorProxy, startReplica, type EvaluatorProxy, type Replica } from './testing/evaluator-harness.js';

let kc: KubeConfig;
let db: TestDatabase;
let broker: Broker;
let proxy: EvaluatorProxy;
let leader: Replica;
let follower: Replica;
let startedAt: number;
/** Long enough that a loaded machine never loses the lease by a late renewal; a release hands it over at once. */
const LEASE_MS = 15_000;

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  db = await createTestDatabase(inject('databaseUrl'), 'evaluator_metrics');
  const leaseNamespace = await createTestNamespace(kc, 'kg-metrics-lease');
  const brokerPort = freePort();
  const brokerUrl = `http://127.0.0.1:${brokerPort}`;
  startedAt = Date.now();
  leader = await startReplica(kc, { identity: 'metrics-a', brokerUrl, leaseNamespace, eventIntervalMs: 1000, leaseDurationMs: LEASE_MS });
  await eventually('replica a leads', () => Promise.resolve(leader.isLeader() ? true : undefined));
  follower = await startReplica(kc, { identity: 'metrics-b', brokerUrl, leaseNamespace, eventIntervalMs: 1000, leaseDurationMs: LEASE_MS });
  proxy = await startEvaluatorProxy(leader.url);
  broker = await startBroker({ DATABASE_URL: db.url, EVALUATOR_URL: proxy.url, REPLAY_SETTLE_MS: '300' }, brokerPort);
});

afterAll(async () => {
  await Promise.all([leader, follower].filter(Boolean).map((r) => r.stop(false)));
  await broker.kill();
  await proxy.close();
  await db.drop();
});

/** Every sample of a Prometheus text exposition, keyed by `name{labels}` as printed. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

async function scrape(r: Replica): Promise<Map<string, number>> {
  const res = await fetch(`${r.url}/metrics`);
  expect(res.status).toBe(200);
  return samples(await res.text());
}

const get = (m: Map<string, number>, key: string): number => m.get(key) ?? 0;
const P = 'kguardian_evaluator_';
/** The informers' kinds (cluster/watched-kinds.ts). */
const KINDS = ['Namespace', 'Pod', 'Service', 'EndpointSlice', 'NetworkPolicy', 'AuditNetworkPolicy', 'AuditClusterNetworkPolicy'];

const POLICY = (ns: string): string => `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: db-ingress, namespace: ${ns} }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: web } } }]
      ports: [{ protocol: TCP, port: 5432 }]
`;

interface Status { observedGeneration?: number; evaluation?: { flowsAllowed: number; flowsWouldDeny: number } }

describe('evaluator /metrics after real work', () => {
  it('shows evaluate latency, informer freshness, status writes, Events, replays and the leader, on the replica that did each', async () => {
    const ns = await createTestNamespace(kc, 'kg-metrics');
    const podsFrom = Date.now();
    await createRunningPod(kc, ns, 'web-1', ['10.62.0.1'], { labels: { app: 'web' } });
    await createRunningPod(kc, ns, 'db-1', ['10.62.0.2'], { labels: { app: 'db' } });
    await createRunningPod(kc, ns, 'batch-1', ['10.62.0.3'], { labels: { app: 'batch' } });
    await applyManifest(kc, POLICY(ns), ns);
    const db1 = { ip: '10.62.0.2', namespace: ns, pod: 'db-1' };
    // Only once the policy is synced at generation 1: the flows are judged live, not left to the replay.
    const status = async (): Promise<Status> =>
      ((await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: 'kguardian.dev', version: 'v1alpha1', namespace: ns, plural: 'auditnetworkpolicies', name: 'db-ingress',
      })) as { status?: Status }).status ?? {};
    await eventually('generation 1 reconciled', async () => ((await status()).observedGeneration === 1 ? true : undefined));
    await untilPodsHeld(leader.model, [{ ip: '10.62.0.1', namespace: ns, pod: 'web-1' }, db1, { ip: '10.62.0.3', namespace: ns, pod: 'batch-1' }]);
    await postFlows(broker.url, [
      { src: { ip: '10.62.0.1', namespace: ns, pod: 'web-1' }, dst: db1, port: 5432, count: 3 },
      { src: { ip: '10.62.0.3', namespace: ns, pod: 'batch-1' }, dst: db1, port: 5432, count: 2 },
    ]);
    await eventually('counts in .status.evaluation', async () => {
      const e = (await status()).evaluation;
      return e?.flowsAllowed === 3 && e.flowsWouldDeny === 2 ? true : undefined;
    });
    await eventually('a WouldDeny Event', async () => {
      const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
      return list.items.some((e) => e.reason === 'WouldDeny' && e.regarding?.name === 'db-ingress') ? true : undefined;
    });

    const a = await scrape(leader);
    const b = await scrape(follower);
    const after = Date.now();

    // POST /evaluate: the broker's calls went to the leader (through the proxy).
    expect(get(a, `${P}evaluate_duration_seconds_count`)).toBeGreaterThanOrEqual(1);
    expect(get(a, `${P}evaluate_duration_seconds_sum`)).toBeGreaterThan(0);
    expect(get(a, `${P}evaluate_duration_seconds_bucket{le="+Inf"}`)).toBe(get(a, `${P}evaluate_duration_seconds_count`));
    expect(get(a, `${P}evaluate_batch_size_count`)).toBe(get(a, `${P}evaluate_duration_seconds_count`));
    expect(get(a, `${P}evaluations_total{result="allowed"}`)).toBeGreaterThanOrEqual(1);
    expect(get(a, `${P}evaluations_total{result="would_deny"}`)).toBeGreaterThanOrEqual(1);
    expect(get(a, `${P}evaluate_requests_total{result="ok"}`)).toBeGreaterThanOrEqual(1);
    expect(get(b, `${P}evaluate_duration_seconds_count`)).toBe(0);

    // Informers, on both replicas: every kind listed, fresh, and the pods' events counted.
    for (const r of [a, b]) {
      for (const kind of KINDS) {
        const since = r.get(`${P}informer_seconds_since_event{kind="${kind}"}`);
        expect(since, kind).toBeDefined();
        expect(since, kind).toBeGreaterThanOrEqual(0);
        // Nothing older than the replica itself.
        expect(since, kind).toBeLessThanOrEqual((after - startedAt) / 1000);
        expect(get(r, `${P}informer_lists_total{kind="${kind}"}`), kind).toBeGreaterThanOrEqual(1);
      }
      // The pods created above were delivered after podsFrom: the last Pod event is no older than that.
      expect(get(r, `${P}informer_seconds_since_event{kind="Pod"}`)).toBeLessThanOrEqual((after - podsFrom) / 1000);
      expect(get(r, `${P}informer_events_total{kind="Pod"}`)).toBeGreaterThanOrEqual(3);
      expect(get(r, `${P}informer_events_total{kind="AuditNetworkPolicy"}`)).toBeGreaterThanOrEqual(1);
      expect(get(r, `${P}model_objects{kind="pods"}`)).toBeGreaterThanOrEqual(3);
    }

    // Leader duties: only on the leader.
    expect(get(a, `${P}status_writes_total{result="written"}`)).toBeGreaterThanOrEqual(2);
    expect(get(a, `${P}events_emitted_total`)).toBeGreaterThanOrEqual(1);
    expect(get(a, `${P}replays_total{outcome="Complete"}`)).toBeGreaterThanOrEqual(1);
    expect(get(a, `${P}replay_duration_seconds_count`)).toBeGreaterThanOrEqual(1);
    expect(a.get(`${P}leader`)).toBe(1);
    expect(get(a, `${P}lease_transitions_total`)).toBe(1);
    expect(get(b, `${P}status_writes_total{result="written"}`)).toBe(0);
    expect(get(b, `${P}events_emitted_total`)).toBe(0);
    expect(get(b, `${P}replays_total{outcome="Complete"}`)).toBe(0);
    expect(b.get(`${P}leader`)).toBe(0);
    expect(get(b, `${P}lease_transitions_total`)).toBe(0);

    // The leader steps down (lease released): the follower takes over, its gauge goes to 1 and it writes.
    const stepped = leader;
    await stepped.stop(true);
    await eventually('the follower leads', () => Promise.resolve(follower.isLeader() ? true : undefined));
    const old = samples(await stepped.metrics.registry.metrics());
    expect(old.get(`${P}leader`)).toBe(0);
    const b2 = await eventually('the new leader writes status', async () => {
      const m = await scrape(follower);
      return get(m, `${P}status_writes_total{result="written"}`) >= 1 ? m : undefined;
    });
    expect(b2.get(`${P}leader`)).toBe(1);
    expect(get(b2, `${P}lease_transitions_total`)).toBe(1);
  });
});
