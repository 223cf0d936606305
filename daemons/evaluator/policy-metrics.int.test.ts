/**
 * Per-policy verdict metrics against real verdicts: a real API server with the CRDs and pods, a
 * real broker process over PostgreSQL, and a real evaluator replica judging the flows posted to
 * the broker. What is checked is what an alert would read from the broker's /metrics: the
 * counters and window gauges of each policy, direction and verdict, in the same unit (and with
 * the same numbers) as the policy's status, and that a replay after an edit does not count old
 * traffic again.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startBroker, type Broker } from '../broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../broker/testing/test-database.js';
import { kubeConfig } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { createRunningPod } from '../../test/kube/pods.js';
import { eventually, postFlows, untilPodsHeld, startReplica, type Replica } from './testing/evaluator-harness.js';

let kc: KubeConfig;
let db: TestDatabase;
let broker: Broker;
let replica: Replica;

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  db = await createTestDatabase(inject('databaseUrl'), 'policy_metrics');
  const leaseNamespace = await createTestNamespace(kc, 'kg-lease');
  const brokerPort = freePort();
  replica = await startReplica(kc, { identity: 'evaluator-metrics', brokerUrl: `http://127.0.0.1:${brokerPort}`, leaseNamespace, eventIntervalMs: 2000 });
  broker = await startBroker({ DATABASE_URL: db.url, EVALUATOR_URL: replica.url, REPLAY_SETTLE_MS: '300' }, brokerPort);
  await eventually('the replica leads', () => Promise.resolve(replica.isLeader() ? true : undefined));
});

afterAll(async () => {
  await replica?.stop(false);
  await broker?.kill();
  await db?.drop();
});

const POLICY = (ns: string, from: string[]): string => `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: db-ingress, namespace: ${ns} }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector: { matchExpressions: [{ key: app, operator: In, values: [${from.join(', ')}] }] }
      ports: [{ protocol: TCP, port: 5432 }]
  egress:
    - to: [{ podSelector: { matchLabels: { app: web } } }]
`;

/** The broker's per-policy samples for one policy, keyed `metric direction verdict`. */
async function policySeries(ns: string, policy: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${broker.url}/metrics`)).text();
  const out: Record<string, number> = {};
  const re = /^kguardian_broker_policy_verdicts_(total|window)\{namespace="([^"]*)",policy="([^"]*)",kind="AuditNetworkPolicy",direction="(\w+)",verdict="(\w+)"\} (\d+)$/gm;
  for (const m of text.matchAll(re)) if (m[2] === ns && m[3] === policy) out[`${m[1]} ${m[4]} ${m[5]}`] = Number(m[6]);
  return out;
}

async function evaluation(ns: string): Promise<{ generation: number; allowed: number; wouldDeny: number } | undefined> {
  const o = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'kguardian.dev', version: 'v1alpha1', namespace: ns, plural: 'auditnetworkpolicies', name: 'db-ingress',
  })) as { status?: { observedGeneration?: number; evaluation?: { flowsAllowed?: number; flowsWouldDeny?: number } } };
  const e = o.status?.evaluation;
  return e ? { generation: o.status?.observedGeneration ?? 0, allowed: e.flowsAllowed ?? 0, wouldDeny: e.flowsWouldDeny ?? 0 } : undefined;
}

describe('per-policy verdict metrics', () => {
  it('count the conversations each policy judged, by direction and verdict, as the status does; a replay adds nothing', async () => {
    const ns = await createTestNamespace(kc, 'pm');
    await createRunningPod(kc, ns, 'web-1', ['10.63.0.1'], { labels: { app: 'web' } });
    await createRunningPod(kc, ns, 'db-1', ['10.63.0.2'], { labels: { app: 'db' } });
    await createRunningPod(kc, ns, 'batch-1', ['10.63.0.3'], { labels: { app: 'batch' } });
    await applyManifest(kc, POLICY(ns, ['web']), ns);
    await eventually('the policy is evaluated', async () => (await evaluation(ns))?.generation === 1 || undefined);

    const web = { ip: '10.63.0.1', namespace: ns, pod: 'web-1' };
    const db1 = { ip: '10.63.0.2', namespace: ns, pod: 'db-1' };
    const batch = { ip: '10.63.0.3', namespace: ns, pod: 'batch-1' };
    await untilPodsHeld(replica.model, [web, db1, batch]);
    await postFlows(broker.url, [
      { src: web, dst: db1, port: 5432, count: 3 }, // allowed in
      { src: batch, dst: db1, port: 5432, count: 2 }, // would be denied in
      { src: db1, dst: web, port: 8080, count: 4, direction: 'Egress' }, // allowed out
      { src: db1, dst: batch, port: 9000, count: 5, direction: 'Egress' }, // would be denied out
    ]);
    const want = {
      'total Ingress Allow': 3, 'total Ingress WouldDeny': 2, 'total Egress Allow': 4, 'total Egress WouldDeny': 5,
      'window Ingress Allow': 3, 'window Ingress WouldDeny': 2, 'window Egress Allow': 4, 'window Egress WouldDeny': 5,
    };
    const got = await eventually('the series of db-ingress', async () => {
      const s = await policySeries(ns, 'db-ingress');
      return s['total Egress WouldDeny'] === 5 && s['total Ingress Allow'] === 3 ? s : undefined;
    });
    expect(got).toEqual(want);
    // The status counts the same conversations.
    await eventually('the status counts them', async () => {
      const e = await evaluation(ns);
      return e?.allowed === 7 && e.wouldDeny === 7 ? e : undefined;
    });

    // An edit replays generation 2 over the same traffic: the status changes, the counters do not.
    await applyManifest(kc, POLICY(ns, ['web', 'batch']), ns);
    await eventually('generation 2 is evaluated', async () => {
      const e = await evaluation(ns);
      return e?.generation === 2 && e.wouldDeny === 5 ? e : undefined;
    });
    expect(await policySeries(ns, 'db-ingress')).toEqual(want);

    // New traffic counts, judged by generation 2.
    await postFlows(broker.url, [{ src: batch, dst: db1, port: 5432, count: 6 }]);
    const after = await eventually('the new conversations', async () => {
      const s = await policySeries(ns, 'db-ingress');
      return s['total Ingress Allow'] === 9 ? s : undefined;
    });
    expect(after).toEqual({ ...want, 'total Ingress Allow': 9, 'window Ingress Allow': 9 });
  });
});
