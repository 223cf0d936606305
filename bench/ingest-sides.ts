/**
 * Broker ingest of two checkouts side by side, by the servers' CPU as well as by the clock: the
 * realistic-repetition load of broker-ingest.bench.ts (10,000 active flows, batches of 5,000
 * observations drawn with a skew) sent to each checkout's broker in turn, ROUNDS rounds, the side
 * that goes first turning each round. Both sides get the very same pre-built bodies (seeded), a
 * fresh PostgreSQL from this checkout's scripts/postgres.sh (the same settings), the same warm-up
 * and the same sending process; only the broker's code differs.
 *
 * On a machine others share, observations per second of wall clock move with their load by a
 * quarter or more from run to run; the CPU seconds the broker and PostgreSQL spend per observation
 * move far less, since they count the work done rather than the time waited for a core. Both are
 * printed, with each side's runs, medians, the ratio of the medians, and the ratio of the two runs
 * of each round (compare-figures.ts).
 *
 * Usage: node --import tsx bench/ingest-sides.ts BEFORE_DIR AFTER_DIR (each a checkout with its
 * node_modules, e.g. from bench/compare.sh with KEEP=1).
 * Env: ROUNDS (default 6), DURATION (measured seconds per run, default 15), WARMUP (s, default 3),
 * CONCURRENCY (batches in flight, default 6), SEED (default 1).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { seededRandom } from '../runtime/testing/seeded-random.js';
import { batchJson, createDatabase, observationJson, postJson, startBroker, startPostgres } from '../daemons/broker/testing/broker-process.js';
import { table, type Comparison } from './lib/compare-figures.js';
import { processCpu, treeCpu } from './lib/proc-cpu.js';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const DURATION_S = Number(process.env.DURATION ?? 15);
const WARMUP_S = Number(process.env.WARMUP ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 6);
const SEED = Number(process.env.SEED ?? 1);
const BATCH = 5000;
const ACTIVE_FLOWS = 10_000;
const VARIANTS = 16;

type Side = 'before' | 'after';

interface Result {
  obsPerSec: number;
  /** Observations per CPU-second of the broker process. */
  perBrokerCpu: number;
  /** Observations per CPU-second of the broker and PostgreSQL together. */
  perServerCpu: number;
  /**
   * Flow rows PostgreSQL inserted or updated per 1,000 observations, warm-up included: the ingest
   * queue merges the batches waiting for one transaction, so this shows whether a side wrote more
   * rows for the same load.
   */
  rowsPerThousand: number;
}

/** Rows inserted or updated in the flows partitions (PostgreSQL's statistics, as the backends reported them). */
async function flowTuples(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string | null }>("SELECT sum(n_tup_ins + n_tup_upd)::text AS n FROM pg_stat_user_tables WHERE relname LIKE 'flows_%'");
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ip(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** The realistic phase's bodies, as broker-ingest.bench.ts builds them, from a seeded generator. */
function variants(at: string): string[] {
  const random = seededRandom(SEED);
  return Array.from({ length: VARIANTS }, () => {
    const items: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      const k = Math.floor(ACTIVE_FLOWS * random() ** 3);
      items.push(observationJson({ srcIp: ip(k % 2000), srcPod: `load-${k % 2000}`, dstIp: ip(1_000_000 + (k % 50)), dstPort: 1000 + (k % 200), at, count: 1 + (k % 3), node: 'node-1' }));
    }
    return `[${items.join(',')}]`;
  });
}

/** Sends the bodies round-robin with CONCURRENCY in flight until `stopAt`; returns the batches stored. */
async function send(url: string, bodies: readonly string[], first: number, stopAt: number): Promise<number> {
  let n = first;
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      const i = n++;
      const r = await postJson(`${url}/v1/flows`, batchJson(`r-${i}`, 'node-1', bodies[i % bodies.length] ?? '[]'));
      if (r.status !== 200) throw new Error(`batch ${i}: ${r.status} ${r.text.slice(0, 200)}`);
      sent++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return sent;
}

async function oneRun(root: string, bodies: readonly string[]): Promise<Result> {
  const pg = startPostgres();
  try {
    const pgPid = Number(readFileSync(`${pg.dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
    const dbUrl = await createDatabase(pg.url, 'bench_ingest');
    const broker = await startBroker({ DATABASE_URL: dbUrl, DB_POOL_SIZE: '8' }, undefined, [], root);
    let measured: Omit<Result, 'rowsPerThousand'> & { obs: number };
    try {
      const warm = await send(broker.url, bodies, 0, Date.now() + WARMUP_S * 1000);
      const cpu0 = { broker: processCpu(broker.child.pid ?? 0), pg: treeCpu(pgPid) };
      const started = performance.now();
      const batches = await send(broker.url, bodies, warm, Date.now() + DURATION_S * 1000);
      const secs = (performance.now() - started) / 1000;
      const brokerCpu = processCpu(broker.child.pid ?? 0) - cpu0.broker;
      const pgCpu = treeCpu(pgPid) - cpu0.pg;
      const obs = batches * BATCH;
      measured = { obsPerSec: obs / secs, perBrokerCpu: obs / brokerCpu, perServerCpu: obs / (brokerCpu + pgCpu), obs: (warm + batches) * BATCH };
    } finally {
      await broker.kill();
    }
    // The broker's backends report their statistics as they exit.
    await sleep(1000);
    const { obs, ...rest } = measured;
    return { ...rest, rowsPerThousand: (1000 * (await flowTuples(dbUrl))) / obs };
  } finally {
    pg.stop();
  }
}

const FIGURES: { name: string; better?: Comparison['better']; of: (r: Result) => number }[] = [
  { name: 'realistic repetition, wall clock (observations/s)', of: (r) => r.obsPerSec },
  { name: 'realistic repetition, per broker CPU-second', of: (r) => r.perBrokerCpu },
  { name: 'realistic repetition, per broker + PostgreSQL CPU-second', of: (r) => r.perServerCpu },
  { name: 'flow rows written per 1,000 observations', better: 'lower', of: (r) => r.rowsPerThousand },
];

async function main(): Promise<void> {
  const [beforeDir, afterDir] = process.argv.slice(2);
  if (beforeDir === undefined || afterDir === undefined) throw new Error('usage: ingest-sides.ts BEFORE_DIR AFTER_DIR');
  const roots: Record<Side, string> = { before: resolve(beforeDir), after: resolve(afterDir) };
  const bodies = variants(new Date().toISOString());
  const results: Record<Side, Result[]> = { before: [], after: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Side[] = round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
    for (const side of order) {
      const load = loadavg()[0]?.toFixed(1);
      const r = await oneRun(roots[side], bodies);
      results[side].push(r);
      console.log(`round ${round} ${side}: ${Math.round(r.obsPerSec)} obs/s, ${Math.round(r.perBrokerCpu)} per broker CPU-s, ${Math.round(r.perServerCpu)} per broker+PostgreSQL CPU-s, ${r.rowsPerThousand.toFixed(0)} rows per 1,000 obs (load ${load})`);
    }
  }
  const rows: Comparison[] = FIGURES.map((f) => {
    const before = results.before.map(f.of);
    const after = results.after.map(f.of);
    return { bench: 'broker ingest', figure: f.name, better: f.better ?? 'higher', before, after, rounds: before.map((b, i): [number, number] => [b, after[i] ?? NaN]) };
  });
  console.log(`\n${ROUNDS} rounds, ${DURATION_S} s measured after ${WARMUP_S} s of warm-up per run, ${CONCURRENCY} batches in flight, seed ${SEED}\n`);
  console.log(table(rows));
}

await main();
