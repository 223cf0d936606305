// The whole pipeline on the real kernel: netns pods registered as Pods, real TCP and UDP between
// them, the eBPF agent, the broker on PostgreSQL, the evaluator, the policy's status and
// `kubectl kguardian verdicts`, with exact counts; two evaluator replicas on one Lease, of which
// only the leader writes status; then a policy edit, whose intermediate state (Replaying, the old
// counts) a watch must see before observedGeneration catches up and the counts change; `audit
// promote` applied to the API server, and the latency from a connection in the kernel to its
// verdict in `verdicts --watch`. The broker's per-policy verdict series (docs/metrics.md) are
// scraped around known traffic and must move by exactly its conversations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredVerdict } from '../../daemons/broker/store/types.js';
import { Cleanup } from '../../playground/cleanup.js';
import { policyStatus, waitForStatus } from '../../playground/cluster.js';
import { applyPolicy, makeTraffic, startServers, waitForCounts } from '../../playground/run-scenario.js';
import { DEFAULT_TRAFFIC, expectedCounts, FIXED_POLICY_FILE, POLICY, POLICY_FILE } from '../../playground/scenario.js';
import type { NetnsPod } from '../../playground/netns.js';
import { LEASE_NAMESPACE, type Stack, type StackPod } from '../../playground/stack.js';
import { serviceName } from '../../playground/dns-server.js';
import { serve, client, resolve, tcp } from '../../playground/traffic.js';
import { BUCKET_MS, startE2eStack } from './e2e-stack.js';
import { latencies, summarise, type Connection } from './latency.js';
import { recordLatency } from './record-latency.js';
import { replicaReports } from './evaluator-replicas.js';
import { PolicyWatch } from './policy-watch.js';
import { scrapePolicySeries, seriesDelta, seriesKey, type PolicySeries } from './policy-series.js';
import { VerdictWatch, type Arrival } from './verdict-watch.js';

const cleanup = new Cleanup();
let stack: Stack;
let runDir: string;

beforeAll(async () => {
  ({ stack, runDir } = await startE2eStack(cleanup));
  if (!stack.evaluator) throw new Error(`the pipeline is incomplete: ${stack.missing.join('; ')}`);
}, 240_000);

afterAll(async () => {
  const failed = await cleanup.runAll();
  expect(failed).toEqual([]);
}, 120_000);

async function verdicts(...args: string[]): Promise<StoredVerdict[]> {
  const out = await stack.kubectl.ok(['kguardian', 'verdicts', '-n', POLICY.namespace, '--broker-url', stack.broker.url, '-o', 'json', '--limit', '1000', ...args]);
  return (JSON.parse(out) as { verdicts: StoredVerdict[] }).verdicts;
}

/** Verdict rows reduced to what they say, summed over rows (the broker stores one per flow row). */
function tally(rows: readonly StoredVerdict[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of rows) {
    const key = `g${v.policy.generation} ${v.verdict} ${v.direction} ${v.src.namespace}/${v.src.pod} -> ${v.dst.namespace}/${v.dst.pod} ${v.port}/${v.protocol}`;
    t[key] = (t[key] ?? 0) + v.count;
  }
  return t;
}

describe('kernel -> agent -> broker (PostgreSQL) -> evaluator -> status and verdicts', () => {
  const plan = DEFAULT_TRAFFIC;

  it('counts exactly the traffic made, in the status and in kubectl kguardian verdicts', async () => {
    const applied = await applyPolicy(stack, POLICY_FILE);
    expect(applied.generation).toBe(1);
    await startServers(stack, runDir, cleanup);
    await makeTraffic(stack, plan);
    const { met, status, want } = await waitForCounts(stack, false, plan, 60_000);
    expect({ wouldDeny: status.wouldDeny, allowed: status.allowed, observed: status.observedGeneration, synced: status.synced }).toEqual({ ...want, observed: 1, synced: true });
    expect(met).toBe(true);
    expect(tally(await verdicts())).toEqual({
      [`g1 WouldDeny Ingress web/frontend -> shop/payments 8080/TCP`]: plan.frontendToPayments,
      [`g1 Allow Egress shop/payments -> shop/database 5432/TCP`]: plan.paymentsToDatabase,
      [`g1 Allow Egress shop/payments -> kube-system/coredns 53/UDP`]: expectedCounts(plan, false).allowed - plan.paymentsToDatabase,
    });
  });

  /** Exactly one replica leads (the Lease names it) and every status patch so far is its own. */
  async function expectOnlyTheLeaderWrote(): Promise<void> {
    const reports = await replicaReports(stack.evaluators);
    expect(reports.map((r) => r.leader).sort()).toEqual([0, 1]);
    const leader = reports.findIndex((r) => r.leader === 1);
    expect(reports[leader]?.statusWritten).toBeGreaterThan(0);
    expect(reports.filter((_, i) => i !== leader).map((r) => r.statusWritten)).toEqual([0]);
    const holder = await stack.kubectl.ok(['get', 'lease', 'kguardian-evaluator', '-n', LEASE_NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}']);
    expect(holder).toBe(`playground-evaluator-${leader}`);
  }

  it('with two evaluator replicas, only the one holding the Lease writes status', async () => {
    await expectOnlyTheLeaderWrote();
  });

  it('after a policy edit, the status says it is replaying generation 2 with the old counts, then catches up', async () => {
    const before = await stack.kubectl.ok(['get', 'kganp', POLICY.name, '-n', POLICY.namespace, '-o', 'jsonpath={.metadata.resourceVersion}']);
    const watch = await PolicyWatch.start(stack.kc, POLICY.namespace, POLICY.name, before);
    cleanup.add('stop the policy watch', () => { watch.stop(); });
    const edited = await applyPolicy(stack, FIXED_POLICY_FILE);
    expect(edited.generation).toBe(2);
    const old = expectedCounts(plan, false);
    const want = expectedCounts(plan, true);
    const caughtUp = await watch.until('observedGeneration 2 with the new counts', (v) => v.observedGeneration === 2 && v.synced?.status === 'True' && v.wouldDeny === want.wouldDeny && v.allowed === want.allowed, 60_000);
    watch.stop();
    const history = watch.versions.slice(0, watch.versions.indexOf(caughtUp));
    // What a user sees between the edit and the catch-up: generation 2 being replayed, the counts
    // (and observedGeneration) still those of generation 1, never a mix.
    const replaying = history.find((v) => v.generation === 2 && v.synced?.reason === 'Replaying');
    expect(replaying).toEqual({
      resourceVersion: expect.any(String) as string, generation: 2, observedGeneration: 1, wouldDeny: old.wouldDeny, allowed: old.allowed,
      synced: { status: 'False', reason: 'Replaying', observedGeneration: 2 },
    });
    for (const v of history.filter((h) => h.observedGeneration === 1)) expect({ wouldDeny: v.wouldDeny, allowed: v.allowed }).toEqual(old);
    const status = await policyStatus(stack.kubectl, POLICY.namespace, POLICY.name);
    expect({ observed: status.observedGeneration, synced: status.synced, wouldDeny: status.wouldDeny, allowed: status.allowed }).toEqual({ observed: 2, synced: true, ...want });
    await expectOnlyTheLeaderWrote();
    const g2 = (await verdicts()).filter((v) => v.policy.generation === 2);
    expect(tally(g2.filter((v) => v.verdict === 'WouldDeny'))).toEqual({});
    expect(tally(g2)[`g2 Allow Ingress web/frontend -> shop/payments 8080/TCP`]).toBe(plan.frontendToPayments);
  });

  it('audit promote yields a NetworkPolicy the API server accepts, with the audit policy\'s spec', async () => {
    const yaml = await stack.kubectl.ok(['kguardian', 'audit', 'promote', POLICY.name, '-n', POLICY.namespace]);
    expect(yaml).toMatch(/kind: NetworkPolicy/);
    await stack.kubectl.ok(['apply', '-f', '-'], yaml);
    const np = JSON.parse(await stack.kubectl.ok(['get', 'networkpolicy', POLICY.name, '-n', POLICY.namespace, '-o', 'json'])) as { spec: unknown };
    const anp = JSON.parse(await stack.kubectl.ok(['get', 'kganp', POLICY.name, '-n', POLICY.namespace, '-o', 'json'])) as { spec: unknown };
    expect(np.spec).toEqual(anp.spec);
    expect((await policyStatus(stack.kubectl, POLICY.namespace, POLICY.name)).generation).toBe(2);
  });

  function netnsPod(name: string): StackPod & { netns: NetnsPod } {
    const p = stack.pods.get(name);
    if (!p?.netns) throw new Error(`pod ${name} has no network namespace`);
    return { ...p, netns: p.netns };
  }

  /** Both series (counter and window gauge) of payments-isolation, per `direction verdict`. */
  function bothSeries(counts: Record<string, number>): PolicySeries {
    const out: PolicySeries = {};
    for (const metric of ['total', 'window'] as const) {
      for (const [dv, n] of Object.entries(counts)) {
        const [direction = '', verdict = ''] = dv.split(' ');
        out[seriesKey(metric, `${POLICY.namespace}/${POLICY.name}`, 'AuditNetworkPolicy', direction, verdict)] = n;
      }
    }
    return out;
  }

  // Six traffic clients, a status wait and a scrape loop: more than the default on a busy machine.
  it('moves the per-policy verdict series by exactly the conversations made, a refused attempt and a DNS lookup once each', async () => {
    // Before: the first test's traffic, judged live by generation 1; the edit's replay adds nothing.
    const before = await scrapePolicySeries(stack.broker.url);
    expect(before).toEqual(bothSeries({ 'Ingress WouldDeny': plan.frontendToPayments, 'Egress Allow': plan.paymentsToDatabase + plan.dnsLookups }));

    // Known traffic judged by generation 2, which admits only the frontend on 8080 and payments'
    // calls to the database on 5432 and to coredns on 53/UDP (last: the would-deny traffic would
    // make promote's safety gate refuse the policy). Distinct counts per series, so a
    // conversation counted under the wrong label set shows.
    const [frontend, payments, database, coredns] = [netnsPod('frontend'), netnsPod('payments'), netnsPod('database'), netnsPod('coredns')];
    await serve(payments.netns, ['tcp:9090'], runDir, cleanup);
    await tcp(frontend.netns, payments.ip, 8080, 3); // Ingress Allow 3
    await tcp(frontend.netns, payments.ip, 9090, 2); // Ingress WouldDeny 2 (established)
    const refusedIn = await client<{ established: number; failed: number }>(frontend.netns, ['tcp', payments.ip, 9091, 2]); // Ingress WouldDeny 2 (refused)
    expect(refusedIn).toEqual([{ established: 0, failed: 2 }]);
    expect(await resolve(payments.netns, coredns.ip, serviceName('database', database.spec.namespace), 2)).toBe(database.ip); // Egress Allow 2 (UDP)
    await tcp(payments.netns, database.ip, 5432, 1); // Egress Allow 1
    const refusedOut = await client<{ established: number; failed: number }>(payments.netns, ['tcp', database.ip, 6543, 1]); // Egress WouldDeny 1 (refused)
    expect(refusedOut).toEqual([{ established: 0, failed: 1 }]);
    const want = bothSeries({ 'Ingress Allow': 3, 'Ingress WouldDeny': 4, 'Egress Allow': 3, 'Egress WouldDeny': 1 });

    // The status (same unit, read from the database) says when the evaluator has judged it all.
    const fixed = expectedCounts(plan, true);
    const { met, status } = await waitForStatus(stack.kubectl, POLICY.namespace, POLICY.name, (s) => s.wouldDeny === fixed.wouldDeny + 5 && s.allowed === fixed.allowed + 6, 60_000);
    expect({ met, wouldDeny: status.wouldDeny, allowed: status.allowed }).toEqual({ met: true, wouldDeny: fixed.wouldDeny + 5, allowed: fixed.allowed + 6 });
    let delta: PolicySeries = {};
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      delta = seriesDelta(before, await scrapePolicySeries(stack.broker.url));
      if (Object.values(delta).reduce((a, b) => a + b, 0) >= Object.values(want).reduce((a, b) => a + b, 0)) break;
    }
    expect(delta).toEqual(want);
  }, 240_000);
});

describe('latency from a connection in the kernel to its verdict in verdicts --watch', () => {
  const FIRST_PORT = 20_000;
  const CONNECTIONS = 200;
  const GAP_MS = 50;

  it(`reports each of ${CONNECTIONS} paced connections exactly once, and records the latency`, async () => {
    const payments = stack.pods.get('payments')?.netns;
    const frontend = stack.pods.get('frontend')?.netns;
    if (!payments || !frontend) throw new Error('no netns pods');
    await serve(payments, [`tcp:${FIRST_PORT}-${FIRST_PORT + CONNECTIONS - 1}`], runDir, cleanup);
    // --all-generations: the fixed policy (generation 2) denies nothing on 8080, so the would-deny rows
    // listed first are generation 1's, which the default (each policy's latest generation) leaves out.
    const watch = new VerdictWatch(stack.kubectl.binary, stack.kubectl.kubeconfig, ['-n', POLICY.namespace, '--broker-url', stack.broker.url, '--verdict', 'WouldDeny', '--all-generations']);
    cleanup.add('stop verdicts --watch', () => { watch.stop(); });
    // The generation-1 rows are listed first: once they are printed, the watch is following.
    await watch.waitFor('the existing would-deny rows', (rows) => rows.some((r) => r.verdict.port === 8080));
    const lines = await client<{ port?: number; at?: number; established?: number }>(frontend, ['paced', stack.pods.get('payments')?.ip ?? '', FIRST_PORT, CONNECTIONS, GAP_MS]);
    const connections = lines.filter((l): l is Connection => l.port !== undefined && l.at !== undefined);
    expect(connections).toHaveLength(CONNECTIONS);
    const ours = (rows: readonly Arrival[]): Arrival[] => rows.filter((r) => r.verdict.port >= FIRST_PORT && r.verdict.port < FIRST_PORT + CONNECTIONS);
    await watch.waitFor(`verdicts for all ${CONNECTIONS} ports`, (rows) => new Set(ours(rows).map((r) => r.verdict.port)).size === CONNECTIONS);
    // Denied by the fixed policy too (it admits the frontend on 8080 only): one Ingress verdict per connection.
    expect(ours(watch.arrivals).map((r) => `${r.verdict.direction} ${r.verdict.src.pod} ${r.verdict.count}`)).toEqual(Array<string>(CONNECTIONS).fill('Ingress frontend 1'));
    const summary = summarise(latencies(connections, watch.arrivals));
    process.stderr.write(`kernel -> verdicts --watch latency over ${summary.n} connections: p50 ${summary.p50} ms, p90 ${summary.p90} ms, p99 ${summary.p99} ms, max ${summary.max} ms\n`);
    if (process.env.KG_E2E_RECORD === '1') recordLatency(summary, { connections: CONNECTIONS, gapMs: GAP_MS, bucketMs: BUCKET_MS });
  }, 120_000);
});
