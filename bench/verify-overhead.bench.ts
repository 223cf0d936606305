/**
 * What verification of enforced NetworkPolicies costs, side by side in one run: the broker with
 * ENFORCEMENT_CHECKS=off and =on, alternated (off, on, on, off, off, on, ...), each over the same
 * observations into a fresh database, dropped after its run (so no run pays for vacuuming another's
 * tables). @bench-cores all: the broker, PostgreSQL and the evaluator are processes of their own,
 * and scripts/bench.sh runs this unpinned.
 *
 * The load is the broker ingest benchmark's realistic one (bench/broker-ingest.bench.ts): 10,000
 * active flows, batches of 5,000 observations drawn with a skew, 6 batches in flight; here its flows
 * are between the pods of the engine benchmark's cluster (bench/lib/engine-cluster.ts: 10,000 pods,
 * 1,000 audit and 1,000 enforced policies), each seen at both ends, so the real evaluator
 * (bench/lib/evaluator-server.ts) judges them against real policies. A run sends BATCHES batches as
 * fast as the broker takes them and ends when no observation is pending evaluation. With checks on,
 * the run also asks for mismatches every 5 s over the last 15 minutes, as the evaluator's leader does
 * for its Events.
 *
 * Figures per mode: ingest (observations/s while sending), time until every observation is judged,
 * and CPU seconds of the broker, PostgreSQL (server and backends) and the evaluator over the run.
 * The overhead is on / off per alternation (the two runs of one alternation are minutes apart, under
 * the same background load), summarised by the median of those ratios, their spread and the median's
 * 90% interval (bench/lib/paired-ratios.ts): the target is decided by one run when the interval is on
 * one side of it.
 *
 * Env: RUNS (alternations, default 10), BATCHES (default 30), KG_BENCH_RECORD=0 (print only),
 * BROKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": a profile per broker run, off and on
 * in turn).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { batchJson, createDatabase, postJson, ROOT, startBroker, startPostgres, type Broker } from '../daemons/broker/testing/broker-process.js';
import { NAMESPACES, PODS_PER_NS, podIp, rng } from './lib/engine-cluster.js';
import { processCpu, treeCpu } from './lib/proc-cpu.js';
import { decide, median, summarise, type Decision, type RatioSummary } from './lib/paired-ratios.js';
import { machineLine, recordSection } from './lib/record.js';

const RUNS = Number(process.env.RUNS ?? 10);
const BATCHES = Number(process.env.BATCHES ?? 30);
/** The target: verification adds at most 10%. */
const LIMIT = 1.1;
const BATCH = 5000;
const ACTIVE_FLOWS = 10_000;
const CONCURRENCY = 6;
const LEADER_POLL_MS = 5000;
/** Times the run's flow rows are judged again as a backlog (more work measured, less noise). */
const BACKLOG_PASSES = 3;
const BROKER_NODE_ARGS = (process.env.BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const LOAD_AT_START = loadavg().map((x) => x.toFixed(2)).join(' ');

type Mode = 'off' | 'on';

interface Cost {
  seconds: number;
  brokerCpu: number;
  pgCpu: number;
  evaluatorCpu: number;
}

interface Run {
  mode: Mode;
  /** The alternation this run belongs to (1..RUNS). */
  pair: number;
  ingestPerS: number;
  /** Sending the load until every observation is judged. */
  live: Cost;
  /** Judging every flow row of the run once more, as one backlog (the same rows in both modes). */
  backlog: Cost;
  backlogRows: number;
  /** Batches answered 5xx and sent again. */
  retried: number;
  verdicts: number;
  checks: number;
  judgedObservations: number;
  /** Calls to the evaluator while live and over the backlog passes (each judges up to 500 flow rows). */
  liveCalls: number;
  backlogCalls: number;
}

/** A flow key: one end of one conversation between two of the cluster's pods. */
interface Key {
  src: [number, number];
  dst: [number, number];
  port: number;
  direction: 'Ingress' | 'Egress';
  state: 'established' | 'refused';
}

function keys(): Key[] {
  const r = rng(42);
  const pick = (): [number, number] => [Math.floor(r() * NAMESPACES), Math.floor(r() * PODS_PER_NS)];
  const out: Key[] = [];
  for (let i = 0; i < ACTIVE_FLOWS / 2; i++) {
    const src = pick();
    let dst = pick();
    // Half the conversations go to a pod an enforced ingress policy selects (allow-same-namespace:
    // app-((n + 3) % 10) in namespace n), as after a promotion; the tier=db sources' egress is
    // enforced too (db-egress), so most judged observations give an enforcement check.
    if (r() < 0.5) dst = [dst[0], ((dst[0] + 3) % 10) + (r() < 0.5 ? 0 : 10)];
    const port = r() < 0.8 ? 8080 : 9090;
    const state = r() < 0.05 ? 'refused' : 'established';
    out.push({ src, dst, port, direction: 'Egress', state }, { src, dst, port, direction: 'Ingress', state });
  }
  return out;
}

const end = ([ns, p]: [number, number], port: number): string =>
  `{"ip":"${podIp(ns, p)}","port":${String(port)},"kind":"pod","namespace":"ns-${String(ns)}","pod":"pod-${String(p)}"}`;

function observation(k: Key, i: number, at: string): string {
  return `{"src":${end(k.src, 40000 + (i % 20000))},"dst":${end(k.dst, k.port)},"protocol":"TCP","direction":"${k.direction}","state":"${k.state}","firstSeen":"${at}","lastSeen":"${at}","count":1,"node":"node-1"}`;
}

/** BATCHES batch bodies, the same for every run (seeded), stamped with the run's time. */
function batches(runId: string): string[] {
  const ks = keys();
  const r = rng(7);
  const at = new Date().toISOString();
  const variants: string[] = [];
  for (let v = 0; v < 16; v++) {
    const items: string[] = [];
    for (let i = 0; i < BATCH; i++) items.push(observation(ks[Math.floor(ACTIVE_FLOWS * r() ** 3)]!, i, at));
    variants.push(`[${items.join(',')}]`);
  }
  return Array.from({ length: BATCHES }, (_, n) => batchJson(`${runId}-${String(n)}`, 'node-1', variants[n % variants.length]!));
}

async function startEvaluator(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/evaluator-server.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface(child.stdout)) {
    const m = /^listening (\d+)$/.exec(line);
    if (m) return { child, url: `http://127.0.0.1:${m[1]!}` };
  }
  throw new Error('the evaluator server ended before listening');
}

/** Sends the batches; a batch answered 5xx or timed out is sent again, as the agent does (same batch id: stored once). */
async function send(url: string, bodies: string[]): Promise<{ seconds: number; retried: number }> {
  let next = 0;
  let retried = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < bodies.length; i = next++) {
      for (let attempt = 1; ; attempt++) {
        const r = await postJson(`${url}/v1/flows`, bodies[i]!).catch((err: unknown) => ({ status: 0, text: String(err) }));
        if (r.status === 200) break;
        if ((r.status !== 0 && r.status < 500) || attempt >= 5) throw new Error(`batch ${String(i)}: ${String(r.status)} ${r.text.slice(0, 200)}`);
        retried++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - started) / 1000, retried };
}

/**
 * Waits until no observation is pending. A claimed row keeps pending > 0 until its completion
 * clears the lease in the same update, so pending alone says it; EXISTS stops at the first such
 * row, where a count read the whole table five times a second, PostgreSQL CPU that grew with the
 * run's wall time and so with the machine's other work.
 */
async function drained(db: pg.Client): Promise<void> {
  for (;;) {
    const r = await db.query<{ busy: boolean }>('SELECT EXISTS (SELECT 1 FROM flows WHERE pending > 0) AS busy');
    if (r.rows[0]?.busy === false) return;
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** The leader's poll for EnforcementMismatch Events (evaluator/events/enforcement-events.ts). */
function leaderPolls(url: string): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await fetch(`${url}/v1/enforcement?since=15m&mismatches=true`);
      if (r.status !== 200) throw new Error(`GET /v1/enforcement: ${String(r.status)} ${await r.text()}`);
      await r.arrayBuffer();
      for (let waited = 0; waited < LEADER_POLL_MS && !stopped; waited += 100) await new Promise((res) => setTimeout(res, 100));
    }
  })();
  // Reported when stopped; the run's own failure comes first.
  loop.catch(() => undefined);
  return async () => {
    stopped = true;
    await loop;
  };
}

/** The broker's calls to the evaluator so far, whatever their result (kguardian_broker_evaluator_requests_total). */
async function evaluatorCalls(brokerUrl: string): Promise<number> {
  const text = await (await fetch(`${brokerUrl}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^kguardian_broker_evaluator_requests_total\{[^}]*\} (\S+)$/gm)) n += Number(m[1]);
  return n;
}

async function dropDatabase(pgUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

async function oneRun(mode: Mode, n: number, pgUrl: string, pgPid: number, evaluator: { child: ChildProcess; url: string }): Promise<Run> {
  const dbName = `verify_${mode}_${String(n)}`;
  const dbUrl = await createDatabase(pgUrl, dbName);
  const bodies = batches(`${mode}-${String(n)}`);
  const broker: Broker = await startBroker({ DATABASE_URL: dbUrl, EVALUATOR_URL: evaluator.url, ENFORCEMENT_CHECKS: mode }, undefined, BROKER_NODE_ARGS);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const cpu = (): Omit<Cost, 'seconds'> => ({ brokerCpu: processCpu(broker.child.pid!), pgCpu: treeCpu(pgPid), evaluatorCpu: processCpu(evaluator.child.pid!) });
  const cost = (from: Omit<Cost, 'seconds'>, seconds: number): Cost => {
    const to = cpu();
    return { seconds, brokerCpu: to.brokerCpu - from.brokerCpu, pgCpu: to.pgCpu - from.pgCpu, evaluatorCpu: to.evaluatorCpu - from.evaluatorCpu };
  };
  let stopPolls = (): Promise<void> => Promise.resolve();
  try {
    global.gc?.();
    let cpu0 = cpu();
    let started = performance.now();
    if (mode === 'on') stopPolls = leaderPolls(broker.url);
    const sent = await send(broker.url, bodies).catch((err: unknown) => {
      throw new Error(`${String(err)}; the broker's log ends: ${broker.log().slice(-3000)}`);
    });
    await drained(db);
    await stopPolls();
    const live = cost(cpu0, (performance.now() - started) / 1000);
    const liveCalls = await evaluatorCalls(broker.url);
    const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    const verdicts = await count('SELECT count(*) AS n FROM audit_verdicts');
    const checks = await count('SELECT count(*) AS n FROM enforcement_checks');
    const judgedObservations = await count('SELECT coalesce(sum(count), 0) AS n FROM flows');
    const backlogRows = await count('SELECT count(*) AS n FROM flows');
    cpu0 = cpu();
    started = performance.now();
    for (let pass = 0; pass < BACKLOG_PASSES; pass++) {
      await db.query('UPDATE flows SET pending = count');
      await drained(db);
    }
    const backlog = cost(cpu0, (performance.now() - started) / 1000);
    const backlogCalls = (await evaluatorCalls(broker.url)) - liveCalls;
    return {
      mode, pair: n, ingestPerS: (BATCHES * BATCH) / sent.seconds, retried: sent.retried, live, backlog, backlogRows, verdicts, checks,
      judgedObservations, liveCalls, backlogCalls,
    };
  } finally {
    await stopPolls().catch(() => undefined);
    await db.end();
    await broker.kill();
    await dropDatabase(pgUrl, dbName);
  }
}

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${fmt((ratio - 1) * 100, 1)}%`;

const postgres = startPostgres();
const evaluator = await startEvaluator();
const runs: Run[] = [];
try {
  const pgPid = Number(readFileSync(`${postgres.dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
  // A warm-up run of each mode, not counted: the first runs pay for JIT and the evaluator's caches.
  await oneRun('off', 0, postgres.url, pgPid, evaluator);
  await oneRun('on', 0, postgres.url, pgPid, evaluator);
  for (let i = 1; i <= RUNS; i++) {
    for (const mode of (i % 2 === 1 ? ['off', 'on'] : ['on', 'off']) as Mode[]) {
      const r = await oneRun(mode, i, postgres.url, pgPid, evaluator);
      process.stderr.write(`${JSON.stringify(r)}\n`);
      runs.push(r);
    }
  }
} finally {
  evaluator.child.kill('SIGTERM');
  postgres.stop();
}
const LOAD_AT_END = loadavg().map((x) => x.toFixed(2)).join(' ');

const of = (mode: Mode, f: (r: Run) => number): number => median(runs.filter((r) => r.mode === mode).map(f));
/** One ratio on / off per alternation. */
function ratios(f: (r: Run) => number): RatioSummary {
  const pairs: { a: number; b: number }[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const off = runs.find((r) => r.pair === i && r.mode === 'off');
    const on = runs.find((r) => r.pair === i && r.mode === 'on');
    if (off && on) pairs.push({ a: f(off), b: f(on) });
  }
  return summarise(pairs);
}
const interval = (s: RatioSummary): string => (s.interval ? `${pct(s.interval.low)} to ${pct(s.interval.high)}` : 'too few runs');
const decision: Record<Decision, string> = { met: 'met', missed: '**missed**', undecided: 'undecided' };
/** The figures the target is about, with whether a higher ratio is worse. */
const judged: { title: string; f: (r: Run) => number; higherIsWorse: boolean }[] = [];
const figure = (title: string, f: (r: Run) => number, digits: number, unit = '', target?: { higherIsWorse: boolean }): string => {
  const s = ratios(f);
  if (target) judged.push({ title, f, higherIsWorse: target.higherIsWorse });
  const verdict = target ? decision[decide(s, LIMIT, target.higherIsWorse)] : '';
  return `| ${title} | ${fmt(of('off', f), digits)}${unit} | ${fmt(of('on', f), digits)}${unit} | ${pct(s.median)} | ${interval(s)} | ${pct(s.min)} to ${pct(s.max)} | ${verdict} |`;
};
const total = (c: Cost): number => c.brokerCpu + c.pgCpu + c.evaluatorCpu;
const COST = { higherIsWorse: true };
const costRows = (what: string, c: (r: Run) => Cost): string => [
  figure(`${what}: wall clock`, (r) => c(r).seconds, 1, ' s'),
  figure(`${what}: broker CPU`, (r) => c(r).brokerCpu, 2, ' s', COST),
  figure(`${what}: PostgreSQL CPU (server and backends)`, (r) => c(r).pgCpu, 2, ' s', COST),
  figure(`${what}: evaluator CPU`, (r) => c(r).evaluatorCpu, 2, ' s', COST),
  figure(`${what}: all three`, (r) => total(c(r)), 2, ' s', COST),
].join('\n');
const retriedOf = (mode: Mode): number => runs.filter((r) => r.mode === mode).reduce((n, r) => n + r.retried, 0);
function retriedNote(): string {
  if (retriedOf('off') + retriedOf('on') === 0) return '';
  return `Batches sent again, as the agent does, after a 500 (a deadlock between an ingest transaction and the evaluation
loop's, five times in a row, in the broker's log) or no answer within 30 s: checks off ${String(retriedOf('off'))}, on ${String(retriedOf('on'))}.

`;
}
const rows = [
  figure('broker ingest, observations/s while sending (evaluation live)', (r) => r.ingestPerS, 0, '', { higherIsWorse: false }),
  costRows('live', (r) => r.live),
  costRows(`backlog, ${String(BACKLOG_PASSES)} × ${fmt(of('on', (r) => r.backlogRows))} flow rows`, (r) => r.backlog),
  figure('live: evaluator calls (flow rows judged, up to 500 a call)', (r) => r.liveCalls, 0),
  figure('live: audit verdict rows stored', (r) => r.verdicts, 0),
].join('\n');
const outcome = (d: Decision): string[] => judged.filter((j) => decide(ratios(j.f), LIMIT, j.higherIsWorse) === d).map((j) => `${j.title} (${pct(ratios(j.f).median)})`);
const coverage = ratios((r) => r.live.brokerCpu).interval?.coverage;
const markdown = `## Verification overhead (\`bench/verify-overhead.bench.ts\`)

Machine: ${machineLine()}; PostgreSQL (fsync off, throwaway), the broker and the evaluator (the engine benchmark's
cluster: 10,000 pods, 1,000 audit and 1,000 enforced policies) as processes of their own, unpinned on both cores,
shared with other work: load average ${LOAD_AT_START} at the start, ${LOAD_AT_END} at the end.
Load: the broker ingest benchmark's realistic repetition (10,000 active flows between the cluster's pods, each seen at
both ends, half of them to a pod an enforced policy selects; batches of ${fmt(BATCH)} observations, ${String(CONCURRENCY)} in
flight), ${fmt(BATCHES)} batches (${fmt(BATCHES * BATCH)} observations) a run, sent with the evaluation loop live
until every observation is judged ("live"); then every flow row of the run is judged again as one backlog,
${String(BACKLOG_PASSES)} times (the same rows in both modes: the evaluation loop's own cost). \`ENFORCEMENT_CHECKS\` off and on
alternated over the same observations (off-on, on-off, ...), ${String(RUNS)} alternations after one warm-up of each, each
run on a fresh database dropped after it; on also polls for mismatches every 5 s as the evaluator's leader does.

Per mode: the median over its ${String(RUNS)} runs. *On vs off*: the median of the ${String(RUNS)} ratios on / off, one per
alternation; *interval*: where that median lies with ${coverage === undefined ? 'no stated' : `${fmt(coverage * 100, 1)}%`} confidence (order statistics,
bench/lib/paired-ratios.ts); *spread*: the smallest and largest ratio. *Target*: met when the whole interval is at
most +10% (ingest: at least -9.1%), missed when it is all above, undecided otherwise.

| figure | checks off | checks on | on vs off | interval | spread | 10% target |
|---|---:|---:|---:|---:|---:|---|
${rows}
| live: enforcement check rows stored | ${fmt(of('off', (r) => r.checks))} | ${fmt(of('on', (r) => r.checks))} | | | | |
| observations judged | ${fmt(of('off', (r) => r.judgedObservations))} | ${fmt(of('on', (r) => r.judgedObservations))} | | | | |

${retriedNote()}The evaluator does the same work in both modes (every answer holds the NetworkPolicy verdicts checks are made
from), so its difference is noise (and its CPU, a fraction of a second a run, is counted in 10 ms ticks).
On this run: met: ${outcome('met').join(', ') || 'nothing'}; missed: ${outcome('missed').join(', ') || 'nothing'}; undecided: ${outcome('undecided').join(', ') || 'nothing'}.
Target: verification adds at most 10% to broker ingest and evaluator CPU.
`;
process.stdout.write(markdown);
if (process.env.KG_BENCH_RECORD !== '0') recordSection('verify-overhead', markdown);
