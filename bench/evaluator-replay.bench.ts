/**
 * Evaluator replay benchmark, the replay target of docs/BENCHMARKS.md end to end: "after an edit of a policy with
 * 1,000,000 recorded flows in its window, observedGeneration catches up within 10 seconds".
 *
 * Everything is real except the agents: a throwaway PostgreSQL (scripts/postgres.sh), a real
 * kube-apiserver with the CRDs (scripts/controlplane.sh), a broker process (daemons/broker/main.ts,
 * its replay worker included) and an evaluator replica in this process (the real cluster model,
 * HTTP app, Lease and status reconciler, as daemons/evaluator/testing/evaluator-harness.ts runs it).
 * PODS source pods labelled app=client and DSTS destination pods labelled app=web exist in the API
 * server; ROWS flow rows (client -> web, Egress, KEYS distinct flows each seen once a minute,
 * spread over the last 50 minutes) are written straight into the flows table as already judged
 * live (pending 0): seeding through POST /v1/flows would cost minutes and measure ingest, not replay.
 * Generation 1 is applied before the flows exist (its replay is empty); the clock starts when the
 * edit to generation 2 is accepted by the API server and stops when the policy's
 * status.observedGeneration is 2 (polled every 100 ms). The status counts are then checked
 * against the seeded observations.
 *
 * Env: ROWS (default 1,000,000), KEYS (default 20,000), RECORD=0 to print without writing
 * docs/BENCHMARKS.md. Run quietly with `npx tsx bench/evaluator-replay.bench.ts` (unpinned: under
 * `npm run bench` PostgreSQL, the API server, the broker and the evaluator all share core 0).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import pg from 'pg';
import { createDatabase, freePort, ROOT, startBroker, startPostgres } from '../daemons/broker/testing/broker-process.js';
import { eventually, startReplica, type Replica } from '../daemons/evaluator/testing/evaluator-harness.js';
import { installCrds } from '../test/kube/crds.js';
import { applyManifest } from '../test/kube/manifest.js';
import { createTestNamespace } from '../test/kube/namespace.js';
import { createRunningPod } from '../test/kube/pods.js';
import { machineLine, recordSection } from './lib/record.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const KEYS = Number(process.env.KEYS ?? 20_000);
const PODS = 100;
const DSTS = 50;
const PORTS = Math.max(1, Math.ceil(KEYS / (PODS * DSTS)));
const SPAN_MS = 50 * 60_000;

const POLICY = (ns: string, ports: number[]): string => `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: bench, namespace: ${ns} }
spec:
  podSelector: { matchLabels: { app: client } }
  policyTypes: [Egress]
  egress:
    - to: [{ podSelector: { matchLabels: { app: web } } }]
      ports: [${ports.map((p) => `{ protocol: TCP, port: ${p} }`).join(', ')}]
`;

interface Status { observedGeneration?: number; evaluation?: { flowsEvaluated: number; flowsAllowed: number; flowsWouldDeny: number } }

function startControlPlane(): { kubeconfig: string; stop: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kg-bench-cp-'));
  const script = `${ROOT}scripts/controlplane.sh`;
  const out = execFileSync('bash', [script, 'start', '--dir', dir, '--exit-with-pid', String(process.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const kubeconfig = out.trim().split('\n').at(-1) ?? '';
  return { kubeconfig, stop: () => execFileSync('bash', [script, 'stop', '--dir', dir], { stdio: 'inherit' }) };
}

async function createPods(kc: KubeConfig, ns: string): Promise<void> {
  for (let i = 0; i < PODS; i++) await createRunningPod(kc, ns, `client-${i}`, [`10.1.0.${i + 1}`], { labels: { app: 'client' } });
  for (let j = 0; j < DSTS; j++) await createRunningPod(kc, ns, `web-${j}`, [`10.2.0.${j + 1}`], { labels: { app: 'web' } });
}

/** ROWS rows, row i being flow key i % KEYS (source pod, destination pod, port) a minute after its previous row. */
async function seed(url: string, ns: string, now: Date): Promise<{ seconds: number; observations: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const started = performance.now();
    await c.query(
      `INSERT INTO flows (bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, dst_ip, dst_port, dst_kind,
         dst_namespace, dst_pod, protocol, direction, state, node, count, pending)
       SELECT date_trunc('minute', t), t, t, ('10.1.0.' || (1 + k % $5::int))::inet, 40000, 'pod', $6, 'client-' || (k % $5::int),
         ('10.2.0.' || (1 + (k / $5::int) % $7::int))::inet, 8080 + (k / ($5::int * $7::int)) % $8::int, 'pod', $6, 'web-' || ((k / $5::int) % $7::int),
         'TCP', 'Egress', 'established', 'node-1', 1 + i % 3, 0
       FROM (SELECT i, i % $4::int AS k, $1::timestamptz - (($2::int - i) * $3::float8 * interval '1 millisecond') AS t
             FROM generate_series(1, $2::int) AS i) s`,
      [now, ROWS, SPAN_MS / ROWS, KEYS, PODS, ns, DSTS, PORTS],
    );
    await c.query('VACUUM ANALYZE flows');
    const r = await c.query<{ n: string }>('SELECT sum(count) AS n FROM flows');
    return { seconds: (performance.now() - started) / 1000, observations: Number(r.rows[0]?.n) };
  } finally {
    await c.end();
  }
}

async function readStatus(kc: KubeConfig, ns: string): Promise<Status> {
  const obj = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'kguardian.dev', version: 'v1alpha1', namespace: ns, plural: 'auditnetworkpolicies', name: 'bench',
  })) as { status?: Status };
  return obj.status ?? {};
}

async function waitGeneration(kc: KubeConfig, ns: string, generation: number, timeoutMs: number): Promise<Status> {
  return eventually(`observedGeneration ${generation}`, async () => {
    const s = await readStatus(kc, ns);
    return s.observedGeneration === generation ? s : undefined;
  }, timeoutMs, 100);
}

/** Observations of the seeded rows still inside the 1 h window now: what the status should count. */
async function inWindow(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string | null }>("SELECT sum(count) AS n FROM flows WHERE last_seen >= now() - interval '1 hour'");
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

/** Where the time went inside the evaluator, from its own metrics. */
interface Breakdown { evaluateS: number; requests: number; flows: number; replayS: number }

async function breakdown(replica: Replica): Promise<Breakdown> {
  const sum = async (name: string, suffix: string): Promise<number> => {
    const text = await replica.metrics.registry.metrics();
    const re = new RegExp(`^${name}_${suffix}(\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm');
    return [...text.matchAll(re)].reduce((n, m) => n + Number(m[2]), 0);
  };
  const p = 'kguardian_evaluator_';
  return {
    evaluateS: await sum(`${p}evaluate_duration_seconds`, 'sum'),
    requests: await sum(`${p}evaluate_duration_seconds`, 'count'),
    flows: await sum(`${p}evaluate_batch_size`, 'sum'),
    replayS: await sum(`${p}replay_duration_seconds`, 'sum'),
  };
}

interface Result { seedS: number; observations: number; expected: number; catchUpS: number; status: Status; loadStart: string; loadEnd: string; b: Breakdown }

/** The commit measured, and whether the broker's code differed from it (work in progress of others is measured too). */
function revision(): string {
  const git = (args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = git(['status', '--porcelain', '--', 'daemons/broker', 'daemons/evaluator', 'policy']) !== '';
  return `commit ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ' with uncommitted changes under daemons/ or policy/' : ''}`;
}

function report(r: Result): string {
  const e = r.status.evaluation;
  const rate = Math.round(ROWS / r.catchUpS).toLocaleString('en-US');
  return `## Evaluator replay (\`bench/evaluator-replay.bench.ts\`)

Machine: ${machineLine()}; ${revision()}. Real PostgreSQL (throwaway, fsync off), real kube-apiserver (scripts/controlplane.sh),
a broker process with its replay worker, one evaluator replica in the benchmark process (cluster model over the API
server, HTTP app, Lease, status reconciler polling replays every 100 ms). ${PODS} client pods and ${DSTS} web pods; flow
rows seeded by SQL as already judged live (${KEYS.toLocaleString('en-US')} distinct flows, each once a minute over 50 min).
All of them on ${availableParallelism()} core(s) (\`npm run bench\` pins everything it starts to one). Load average at start ${r.loadStart}, at end ${r.loadEnd} (2 cores shared with other work): figures are pessimistic.

| figure | result | target |
|---|---|---|
| ${ROWS.toLocaleString('en-US')} flow rows in the window: policy edit accepted to status.observedGeneration = new generation | ${r.catchUpS.toFixed(2)} s (${rate} rows/s) | ≤ 10 s |
| status counts after catching up (evaluated / allowed / would-deny) vs seeded observations still in the 1 h window | ${e?.flowsEvaluated ?? '?'} / ${e?.flowsAllowed ?? '?'} / ${e?.flowsWouldDeny ?? '?'} of ${r.expected} (${r.observations} seeded) | all |
| inside it: the evaluator answering POST /evaluate (sum of its latency histogram; requests, flows) | ${r.b.evaluateS.toFixed(2)} s (${r.b.requests} requests, ${r.b.flows} flows) | |
| inside it: both replays (generations 1 and 2) as the evaluator's leader measured them, job creation to Complete | ${r.b.replayS.toFixed(2)} s | |
| seeding the rows (INSERT ... SELECT + VACUUM ANALYZE, not part of the figure) | ${r.seedS.toFixed(1)} s | |`;
}

async function main(): Promise<void> {
  const loadStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  const postgres = startPostgres();
  const cp = startControlPlane();
  const stops: (() => Promise<void> | void)[] = [
    () => {
      postgres.stop();
    },
    () => {
      cp.stop();
    },
  ];
  try {
    const url = await createDatabase(postgres.url, 'kg_evaluator_replay_bench');
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await installCrds(kc);
    const ns = await createTestNamespace(kc, 'load');
    const leaseNamespace = await createTestNamespace(kc, 'lease');
    await createPods(kc, ns);
    const brokerPort = freePort();
    const replica = await startReplica(kc, { identity: 'bench', brokerUrl: `http://127.0.0.1:${brokerPort}`, leaseNamespace, statusIntervalMs: 1000 });
    stops.unshift(() => replica.stop());
    const broker = await startBroker({ DATABASE_URL: url, EVALUATOR_URL: replica.url }, brokerPort);
    stops.unshift(() => broker.kill());
    await eventually('the replica leads', () => Promise.resolve(replica.isLeader() ? true : undefined));
    await applyManifest(kc, POLICY(ns, [8080]), ns);
    await waitGeneration(kc, ns, 1, 120_000);
    const seeded = await seed(url, ns, new Date(Date.now() - 60_000));
    console.log(`seeded ${ROWS} flow rows (${seeded.observations} observations) in ${seeded.seconds.toFixed(1)} s; editing the policy`);
    await applyManifest(kc, POLICY(ns, [8080, 8081]), ns);
    const started = performance.now();
    const status = await waitGeneration(kc, ns, 2, 1_800_000);
    const catchUpS = (performance.now() - started) / 1000;
    const result = {
      seedS: seeded.seconds, observations: seeded.observations, expected: await inWindow(url), catchUpS, status,
      loadStart, loadEnd: loadavg().map((x) => x.toFixed(2)).join(' '), b: await breakdown(replica),
    };
    const text = report(result);
    console.log(text);
    if (process.env.RECORD !== '0') recordSection('evaluator-replay', text);
  } finally {
    for (const stop of stops) await stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
