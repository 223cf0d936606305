/**
 * The evaluator end to end: a real API server with the CRDs, a real broker process over a real
 * PostgreSQL database, and in-process evaluator replicas (real informers, HTTP app, Lease and
 * status reconciler). Flows go in through the broker's POST /v1/flows; what is checked is what a
 * user sees: `kubectl get anp` columns, .status, and Events.
 */
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsonLogger } from '../broker/logger.js';
import { freePort, startBroker, type Broker } from '../broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../broker/testing/test-database.js';
import { kubeConfig, kubectl } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { createRunningPod } from '../../test/kube/pods.js';
import { eventually, parseTable, postFlows, startEvaluatorProxy, startReplica, type EvaluatorProxy, type Replica } from './testing/evaluator-harness.js';

let kc: KubeConfig;
let db: TestDatabase;
let broker: Broker;
let proxy: EvaluatorProxy;
let leaseNamespace: string;
const replicas: Replica[] = [];

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  db = await createTestDatabase(inject('databaseUrl'), 'evaluator_e2e');
  leaseNamespace = await createTestNamespace(kc, 'kg-lease');
  const brokerPort = freePort();
  const a = await startReplica(kc, { identity: 'evaluator-a', brokerUrl: `http://127.0.0.1:${brokerPort}`, leaseNamespace, eventIntervalMs: 2000, logger: process.env.KG_E2E_LOG ? jsonLogger() : undefined });
  replicas.push(a);
  proxy = await startEvaluatorProxy(a.url);
  broker = await startBroker({ DATABASE_URL: db.url, EVALUATOR_URL: proxy.url, REPLAY_SETTLE_MS: '300' }, brokerPort);
  await eventually('replica a leads', () => Promise.resolve(a.isLeader() ? true : undefined));
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop(false)));
  await broker.kill();
  await proxy.close();
  await db.drop();
});

const DB_POLICY = (ns: string, from: string[]): string => `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: db-ingress, namespace: ${ns} }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector: { matchExpressions: [{ key: app, operator: In, values: [${from.join(', ')}] }] }
      ports: [{ protocol: TCP, port: 5432 }]
`;

interface Row { 'WOULD-DENY': string; ALLOWED: string; SYNCED: string; GENERATION: string; OBSERVED: string }

async function anpRow(ns: string, name: string): Promise<Row> {
  const r = await kubectl(['get', 'anp', name, '-n', ns, '-o', 'wide']);
  if (r.code !== 0) throw new Error(r.stderr);
  const row = parseTable(r.stdout)[0];
  if (!row) throw new Error(`no row in ${r.stdout}`);
  return row as unknown as Row;
}

/** Waits until `kubectl get anp -o wide` shows exactly these columns. */
async function expectColumns(ns: string, name: string, want: Partial<Row>): Promise<Row> {
  return eventually(`kubectl get anp ${name} shows ${JSON.stringify(want)}`, async () => {
    const row = await anpRow(ns, name);
    return Object.entries(want).every(([k, v]) => row[k as keyof Row] === v) ? row : undefined;
  }).catch(async (err: unknown) => {
    throw new Error(`${(err as Error).message}; last row ${JSON.stringify(await anpRow(ns, name))}`);
  });
}

async function podsForDb(ns: string): Promise<void> {
  await createRunningPod(kc, ns, 'web-1', ['10.61.0.1'], { labels: { app: 'web' } });
  await createRunningPod(kc, ns, 'db-1', ['10.61.0.2'], { labels: { app: 'db' } });
  await createRunningPod(kc, ns, 'batch-1', ['10.61.0.3'], { labels: { app: 'batch' } });
  await createRunningPod(kc, ns, 'cron-1', ['10.61.0.4'], { labels: { app: 'cron' } });
}

async function wouldDenyEvents(ns: string, name: string): Promise<string[]> {
  const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
  return list.items.filter((e) => e.reason === 'WouldDeny' && e.regarding?.name === name).map((e) => e.note ?? '');
}

describe('an AuditNetworkPolicy fed through the broker', () => {
  it('kubectl get anp shows the counts, an edit moves generation, observedGeneration and counts, and Events are aggregated', async () => {
    const ns = await createTestNamespace(kc, 'e2e');
    await podsForDb(ns);
    // A policy with no traffic still gets status.
    await applyManifest(kc, DB_POLICY(ns, ['web']), ns);
    await expectColumns(ns, 'db-ingress', { 'WOULD-DENY': '0', ALLOWED: '0', SYNCED: 'True', GENERATION: '1', OBSERVED: '1' });
    const quiet = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'kguardian.dev', version: 'v1alpha1', namespace: ns, plural: 'auditnetworkpolicies', name: 'db-ingress',
    })) as { status: { conditions: { type: string; reason: string }[] } };
    expect(quiet.status.conditions.find((c) => c.type === 'Ready')?.reason).toBe('NoTrafficSeen');

    const db1 = { ip: '10.61.0.2', namespace: ns, pod: 'db-1' };
    await postFlows(broker.url, [
      { src: { ip: '10.61.0.1', namespace: ns, pod: 'web-1' }, dst: db1, port: 5432, count: 3 },
      { src: { ip: '10.61.0.3', namespace: ns, pod: 'batch-1' }, dst: db1, port: 5432, count: 2 },
    ]);
    await expectColumns(ns, 'db-ingress', { 'WOULD-DENY': '2', ALLOWED: '3', SYNCED: 'True', OBSERVED: '1' });

    // Edit: batch is now allowed. Generation 2 is replayed over the recorded window.
    await applyManifest(kc, DB_POLICY(ns, ['web', 'batch']), ns);
    await expectColumns(ns, 'db-ingress', { 'WOULD-DENY': '0', ALLOWED: '5', SYNCED: 'True', GENERATION: '2', OBSERVED: '2' });

    // Many flows from a new offender, in several batches: Events name offenders, never one per flow.
    for (let i = 0; i < 5; i++) await postFlows(broker.url, [{ src: { ip: '10.61.0.4', namespace: ns, pod: 'cron-1' }, dst: db1, port: 5432, count: 4 }]);
    await expectColumns(ns, 'db-ingress', { 'WOULD-DENY': '20', ALLOWED: '5', SYNCED: 'True', OBSERVED: '2' });
    const notes = await eventually('a WouldDeny Event about cron-1', async () => {
      const n = await wouldDenyEvents(ns, 'db-ingress');
      return n.some((t) => t.includes(`${ns}/cron-1`)) ? n : undefined;
    }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}; Events: ${JSON.stringify(await wouldDenyEvents(ns, 'db-ingress'))}`);
    });
    // Generation 1's offender (batch-1) and generation 2's (cron-1): one Event each at most.
    expect(notes.length).toBeLessThanOrEqual(2);
    expect(notes.filter((t) => t.includes('cron-1'))).toHaveLength(1);
  });
});
