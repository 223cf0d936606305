/**
 * Verification of enforced NetworkPolicies end to end: a real API server holding a NetworkPolicy
 * and its pods, a real evaluator replica judging the flows, a real broker process over PostgreSQL
 * keeping what the enforced policy predicts beside each flow's connection state, and
 * `kubectl kguardian verify` reading it. Flows the policy denies that were established must come
 * out NotEnforced, allowed ones that keep failing DroppedElsewhere, the rest Agrees.
 */
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EnforcementReport } from '../../contracts/enforcement.js';
import { memoryIO } from '../../plugin/io.js';
import { runCli } from '../../plugin/main.js';
import { freePort, startBroker, type Broker } from '../broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../broker/testing/test-database.js';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
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
  db = await createTestDatabase(inject('databaseUrl'), 'verify');
  const leaseNamespace = await createTestNamespace(kc, 'kg-lease');
  const brokerPort = freePort();
  replica = await startReplica(kc, { identity: 'evaluator-verify', brokerUrl: `http://127.0.0.1:${brokerPort}`, leaseNamespace, eventIntervalMs: 500, enforcementPollMs: 200 });
  broker = await startBroker({ DATABASE_URL: db.url, EVALUATOR_URL: replica.url }, brokerPort);
});

afterAll(async () => {
  await replica?.stop(false);
  await broker?.kill();
  await db?.drop();
});

const NETWORK_POLICY = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-ingress }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: web } } }]
      ports: [{ protocol: TCP, port: 5432 }]
`;

/** What the evaluator predicts for ingress from `src` to db-1:5432 (at `dstIp`), once it holds the policy. */
async function enforcedIngress(ns: string, srcIp: string, srcPod: string, dstIp = '10.64.0.2'): Promise<string | undefined> {
  const res = await fetch(`${replica.url}/evaluate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ flows: [{ id: 1, observedAt: new Date().toISOString(), count: 1, direction: 'Ingress', flow: {
      src: { ip: srcIp, namespace: ns, pod: srcPod }, dst: { ip: dstIp, namespace: ns, pod: 'db-1' }, protocol: 'TCP', port: 5432 } }] }),
  });
  const body = (await res.json()) as { results: { enforcement?: { predicted: string } }[] };
  return body.results[0]?.enforcement?.predicted;
}

/**
 * A clock that stands at the moment it was made until run() is called, then moves with real time
 * from there: a window timed by it starts when the test says, not when the command starts.
 */
function heldClock(): { now: () => Date; run: () => void } {
  const made = Date.now();
  let runningSince: number | undefined;
  return {
    now: () => new Date(runningSince === undefined ? made : made + Date.now() - runningSince),
    run: () => {
      runningSince ??= Date.now();
    },
  };
}

async function verify(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  const code = await runCli(['verify', '--broker-url', broker.url, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('verify on real judgements', () => {
  it('reports denied-but-established flows as NotEnforced and allowed-but-failing ones as DroppedElsewhere', async () => {
    const ns = await createTestNamespace(kc, 'verify');
    await createRunningPod(kc, ns, 'web-1', ['10.64.0.1'], { labels: { app: 'web' } });
    await createRunningPod(kc, ns, 'db-1', ['10.64.0.2'], { labels: { app: 'db' } });
    await createRunningPod(kc, ns, 'batch-1', ['10.64.0.3'], { labels: { app: 'batch' } });
    await createRunningPod(kc, ns, 'web-2', ['10.64.0.4'], { labels: { app: 'web' } });
    await applyManifest(kc, NETWORK_POLICY, ns);
    await eventually('the evaluator holds the NetworkPolicy', async () => ((await enforcedIngress(ns, '10.64.0.3', 'batch-1')) === 'Deny' ? true : undefined));

    const web = { ip: '10.64.0.1', namespace: ns, pod: 'web-1' };
    const db1 = { ip: '10.64.0.2', namespace: ns, pod: 'db-1' };
    const batch = { ip: '10.64.0.3', namespace: ns, pod: 'batch-1' };
    const web2 = { ip: '10.64.0.4', namespace: ns, pod: 'web-2' };
    await untilPodsHeld(replica.model, [web, db1, batch, web2]);
    await postFlows(broker.url, [
      { src: batch, dst: db1, port: 5432, count: 2 }, // denied, yet established
      { src: batch, dst: db1, port: 6379, count: 3, state: 'attempt' }, // denied and dropped
      { src: web, dst: db1, port: 5432, count: 4, state: 'refused' }, // allowed, yet refused every time
      { src: web, dst: db1, port: 5432, count: 1 }, // ...but once it connected: flaky, the flow agrees
      { src: web2, dst: db1, port: 5432, count: 3, state: 'attempt' }, // allowed, never connected: dropped elsewhere
      { src: batch, dst: web, port: 8080, count: 5 }, // web is selected by no NetworkPolicy: no check
    ]);
    const report = await eventually('every flow is judged', async () => {
      const r = await verify('--all', '-n', ns, '-o', 'json');
      const parsed = JSON.parse(r.out || '{"rows":[]}') as EnforcementReport;
      return parsed.rows.length === 4 ? parsed : undefined;
    });
    const rows = report.rows.map((r) => [r.src.pod, r.port, r.policy.name, r.predicted, r.outcome]).sort();
    expect(rows).toEqual([
      ['batch-1', 5432, 'db-ingress', 'Deny', 'NotEnforced'],
      ['batch-1', 6379, 'db-ingress', 'Deny', 'Agrees'],
      ['web-1', 5432, 'db-ingress', 'Allow', 'Agrees'],
      ['web-2', 5432, 'db-ingress', 'Allow', 'DroppedElsewhere'],
    ]);

    // The table with --mismatches: the two that disagree, not enforced first.
    const table = await verify('db-ingress', '-n', ns, '--mismatches');
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^POLICY\s+SEEN-AT\s+SOURCE\s+DESTINATION\s+PORT\s+PREDICTED\s+CONNECTED\s+FAILED\s+OUTCOME\s+LAST-SEEN$/);
    expect(table.out).toMatch(/db-ingress\s+destination\s+\S+\/batch-1\s+\S+\/db-1\s+5432\/TCP\s+Deny\s+2\s+0\s+NotEnforced/);
    expect(table.out).toMatch(/db-ingress\s+destination\s+\S+\/web-2\s+\S+\/db-1\s+5432\/TCP\s+Allow\s+0\s+3\s+DroppedElsewhere/);
    expect(table.out.trim().split('\n').map((l) => l.split(/\s+/)[8])).toEqual(['OUTCOME', 'NotEnforced', 'DroppedElsewhere']);
    expect(table.err).toContain('the CNI is not enforcing them');
    expect(table.err).toContain('something else drops or refuses it');
    expect(table.err).toContain('2 mismatches: 2 flows checked');

    // The leader writes an EnforcementMismatch Event on the NetworkPolicy, and counts the flows.
    const events = await eventually('an EnforcementMismatch Event', async () => {
      const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
      const mine = list.items.filter((e) => e.reason === 'EnforcementMismatch' && e.regarding?.kind === 'NetworkPolicy' && e.regarding.name === 'db-ingress');
      return mine.some((e) => e.note?.includes('NotEnforced')) ? mine : undefined;
    });
    expect(events[0]!.type).toBe('Warning');
    expect(events.map((e) => e.note).join(' ')).toMatch(/NotEnforced: \S+\/batch-1 -> \S+\/db-1:5432\/TCP \(denied yet connected\)/);
    expect(events.map((e) => e.note).join(' ')).toMatch(/DroppedElsewhere: \S+\/web-2 -> \S+\/db-1:5432\/TCP \(allowed yet failing\)/);
    const counted = await replica.metrics.registry.getSingleMetric('kguardian_evaluator_enforcement_mismatches_total')?.get();
    expect(counted?.values.filter((v) => v.labels.namespace === ns).map((v) => [v.labels.outcome, v.value]).sort()).toEqual([['DroppedElsewhere', 1], ['NotEnforced', 1]]);
  });

  it('audit promote --apply --verify reports a denied flow that connects after the apply', async () => {
    const ns = await createTestNamespace(kc, 'verify-promote');
    await createRunningPod(kc, ns, 'api-1', ['10.64.1.1'], { labels: { app: 'api' } });
    await createRunningPod(kc, ns, 'cache-1', ['10.64.1.2'], { labels: { app: 'cache' } });
    await applyManifest(kc, `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: cache-lockdown }
spec:
  podSelector: { matchLabels: { app: cache } }
  policyTypes: [Ingress]
`, ns);
    // The verify window is timed by the command's clock, which this test holds still until the broker
    // has judged the flow it sends: how long the evaluator takes to learn the applied policy and the
    // broker to judge one flow depends on the machine's load, not on verify, and a fixed window
    // (45 s here before) ran out once at load 37. From that judgement on, the clock runs, and verify
    // has WINDOW_S of real time to report the flow: it asks every VERIFY_POLL_MS and always asks once
    // more after a wait, so that is several of its polls. Nothing was evaluated yet: the gate is
    // overridden; the point is what happens after the apply.
    const WINDOW_S = 10;
    const clock = heldClock();
    const io = { ...memoryIO(), now: clock.now };
    const promoting = runCli(['--kubeconfig', kubeconfigPath(), 'audit', 'promote', 'cache-lockdown', '-n', ns, '--apply', '--force', '--allow-untested',
      '--verify', `${WINDOW_S}s`, '--broker-url', broker.url], io);
    const api = { ip: '10.64.1.1', namespace: ns, pod: 'api-1' };
    const cache = { ip: '10.64.1.2', namespace: ns, pod: 'cache-1' };
    try {
      await eventually('the applied NetworkPolicy is held by the evaluator', async () => {
        const res = await fetch(`${replica.url}/evaluate`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ flows: [{ id: 1, observedAt: new Date().toISOString(), count: 1, direction: 'Ingress', flow: {
            src: api, dst: cache, protocol: 'TCP', port: 6379 } }] }),
        });
        const body = (await res.json()) as { results: { enforcement?: { predicted: string } }[] };
        return body.results[0]?.enforcement?.predicted === 'Deny' ? true : undefined;
      });
      // The CNI here enforces nothing: the denied connection is established.
      const sent = new Date().toISOString();
      await postFlows(broker.url, [{ src: api, dst: cache, port: 6379, count: 2 }]);
      await eventually('the broker judged the flow against the applied NetworkPolicy', async () => {
        const q = new URLSearchParams({ namespace: ns, policy: 'cache-lockdown', since: sent });
        const report = (await (await fetch(`${broker.url}/v1/enforcement?${q.toString()}`)).json()) as EnforcementReport;
        return report.rows.some((r) => r.src.pod === 'api-1' && r.port === 6379) ? true : undefined;
      });
    } finally {
      // A failed wait must not leave verify polling a window that never ends.
      clock.run();
    }
    expect(await promoting).toBe(0);
    expect(io.err()).toMatch(new RegExp(`verify: ${ns}/cache-lockdown: NotEnforced ${ns}/api-1 -> ${ns}/cache-1:6379/TCP: .*the CNI is not enforcing them`));
    expect(io.err()).toContain(`verify: 1 mismatched flow in ${WINDOW_S}s`);
  });

  // The agent ships a UDP conversation's reply that fell in its next bucket when that bucket ends, up to 10 s
  // later: an observation can reach the evaluator after a NetworkPolicy it never met. Judged against that
  // policy, a flow that got through before it existed read as NotEnforced (daemons/evaluator/cluster/policy-changes.ts).
  it('does not judge an observation made before the NetworkPolicy existed against it, only those after', async () => {
    const ns = await createTestNamespace(kc, 'verify-late');
    await createRunningPod(kc, ns, 'web-1', ['10.64.2.1'], { labels: { app: 'web' } });
    await createRunningPod(kc, ns, 'db-1', ['10.64.2.2'], { labels: { app: 'db' } });
    const web = { ip: '10.64.2.1', namespace: ns, pod: 'web-1' };
    const db = { ip: '10.64.2.2', namespace: ns, pod: 'db-1' };
    await untilPodsHeld(replica.model, [web, db]);
    const before = new Date();
    // The API server's times are whole seconds: the policy is created in a later second than `before`.
    await new Promise((r) => setTimeout(r, 1_100));
    await applyManifest(kc, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: db-lockdown }\nspec: { podSelector: { matchLabels: { app: db } }, policyTypes: [Ingress] }\n', ns);
    await eventually('the evaluator holds the NetworkPolicy', async () => ((await enforcedIngress(ns, web.ip, 'web-1', db.ip)) === 'Deny' ? true : undefined));
    const withheld = async (): Promise<number> => (await replica.metrics.registry.getSingleMetric('kguardian_evaluator_enforcement_withheld_total')?.get())?.values[0]?.value ?? 0;
    const withheldBefore = await withheld();
    await postFlows(broker.url, [
      { src: web, dst: db, port: 53, protocol: 'UDP', count: 2, at: before }, // delivered before the policy existed, reported after
      { src: web, dst: db, port: 54, protocol: 'UDP', count: 3 }, // delivered although the policy denies it
    ]);
    // Judged, both: the late one either named the policy (the bug) or went without a prediction (counted).
    const report = await eventually('both flows are judged', async () => {
      const parsed = JSON.parse((await verify('--all', '-n', ns, '-o', 'json')).out || '{"rows":[]}') as EnforcementReport;
      const late = parsed.rows.some((r) => r.port === 53) || (await withheld()) - withheldBefore >= 2;
      return late && parsed.rows.some((r) => r.port === 54) ? parsed : undefined;
    });
    expect(report.rows.map((r) => [r.port, r.protocol, r.policy.name, r.predicted, r.observed.seen, r.outcome])).toEqual([[54, 'UDP', 'db-lockdown', 'Deny', 3, 'NotEnforced']]);
    expect((await withheld()) - withheldBefore).toBe(2);
  });

  it('says so when nothing was judged against an enforced NetworkPolicy', async () => {
    const ns = await createTestNamespace(kc, 'verify-empty');
    const r = await verify('--all', '-n', ns);
    expect([r.code, r.out]).toEqual([0, '']);
    expect(r.err).toBe(`No flows judged against an enforced NetworkPolicy in namespace ${ns} within 1h.\n`);
  });
});
