/**
 * Broker ingest benchmark. A real PostgreSQL and the broker run as their own processes; this
 * process only sends pre-built JSON over keep-alive HTTP. @bench-cores all: scripts/bench.sh runs
 * it unpinned, so the broker and PostgreSQL each have a core as the recorded figures say.
 *
 *  1. Realistic repetition: 10,000 active flows; every batch holds 5,000 observations drawn with a
 *     skew (a few busy flows, a long tail), so most repeat a flow already stored in the current
 *     minute. Sustained for DURATION seconds; the figure is observations per second.
 *  2. All distinct: 400,000 observations, every one a new flow row; rows per second, compared with
 *     the ceiling of loading the very same rows into the same (empty, indexed, partitioned) table
 *     with COPY through psql.
 *
 * Env: DURATION (s, default 15), CONCURRENCY (in-flight batches, default 6), ONLY_DISTINCT=1 (skip the
 * realistic phase and record nothing: for profiling and before/after comparisons of the ratio).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgClient } from '../daemons/broker/store/pg-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../daemons/broker/store/sql-store.js';
import { machineLine, recordSection } from './lib/record.js';
import { batchJson, createDatabase, observationJson, postJson, startBroker, startPostgres } from '../daemons/broker/testing/broker-process.js';

const DURATION_S = Number(process.env.DURATION ?? 15);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 6);
const BATCH = 5000;
const ACTIVE_FLOWS = 10_000;
const DISTINCT_TOTAL = 400_000;
const LOAD_AT_START = loadavg().map((x) => x.toFixed(2)).join(' ');
/** Node flags of the broker process (e.g. --max-semi-space-size=64), as a deployment would set them. */
const BROKER_NODE_ARGS = (process.env.BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean);

function ip(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Sends bodies from `next()` with CONCURRENCY in flight until it returns undefined or time is up. */
async function drive(url: string, next: () => string | undefined, stopAt = Infinity): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    for (let body = next(); body !== undefined && Date.now() < stopAt; body = next()) {
      const r = await postJson(`${url}/v1/flows`, body);
      if (r.status === 200) sent++;
      else {
        failed++;
        if (failed < 5) console.error(`batch failed: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { sent, failed };
}

async function realistic(url: string): Promise<{ obsPerSec: number; rowsPerBatch: number; batches: number }> {
  // Skewed choice: index = floor(N * u^3) makes low indexes (busy flows) far more frequent.
  const variants: string[] = [];
  const at = new Date().toISOString();
  let distinctSum = 0;
  for (let v = 0; v < 16; v++) {
    const items: string[] = [];
    const keys = new Set<number>();
    for (let i = 0; i < BATCH; i++) {
      const k = Math.floor(ACTIVE_FLOWS * Math.random() ** 3);
      keys.add(k);
      items.push(observationJson({ srcIp: ip(k % 2000), srcPod: `load-${k % 2000}`, dstIp: ip(1_000_000 + (k % 50)), dstPort: 1000 + (k % 200), at, count: 1 + (k % 3), node: 'node-1' }));
    }
    distinctSum += keys.size;
    variants.push(`[${items.join(',')}]`);
  }
  let n = 0;
  const started = Date.now();
  const { sent, failed } = await drive(url, () => batchJson(`r-${n}`, 'node-1', variants[n++ % variants.length]!), started + DURATION_S * 1000);
  const secs = (Date.now() - started) / 1000;
  if (failed > 0) console.error(`${failed} batches failed`);
  return { obsPerSec: (sent * BATCH) / secs, rowsPerBatch: distinctSum / variants.length, batches: sent };
}

function distinctObservation(i: number, at: string): string {
  return observationJson({ srcIp: ip(i >> 6), srcPod: `d-${i >> 6}`, dstIp: '10.200.0.1', dstPort: 1 + (i & 63), at, count: 1, node: 'node-1' });
}

async function distinct(url: string, at: string): Promise<number> {
  let n = 0;
  const started = performance.now();
  const { sent, failed } = await drive(url, () => {
    if (n * BATCH >= DISTINCT_TOTAL) return undefined;
    const items: string[] = [];
    for (let i = n * BATCH; i < (n + 1) * BATCH; i++) items.push(distinctObservation(i, at));
    return batchJson(`d-${n++}`, 'node-1', `[${items.join(',')}]`);
  });
  const secs = (performance.now() - started) / 1000;
  if (failed > 0 || sent * BATCH !== DISTINCT_TOTAL) throw new Error(`distinct phase: ${sent} sent, ${failed} failed`);
  return DISTINCT_TOTAL / secs;
}

/** The same rows as the distinct phase, as CSV for COPY (columns as the upsert writes them). */
function copyCsv(at: string): string {
  const bucket = new Date(Math.floor(Date.parse(at) / 60_000) * 60_000).toISOString();
  const lines: string[] = [];
  for (let i = 0; i < DISTINCT_TOTAL; i++) {
    const port = 1 + (i & 63);
    lines.push(`${bucket},${at},${at},${ip(i >> 6)},${40000 + (port % 20000)},pod,load,d-${i >> 6},"",10.200.0.1,${port},pod,svc,svc-${port % 97},"",TCP,Egress,established,node-1,1,1`);
  }
  return `${lines.join('\n')}\n`;
}

async function copyCeiling(serverUrl: string, at: string): Promise<number> {
  const url = await createDatabase(serverUrl, 'bench_copy');
  const store = await openSqlStore(createPgClient({ connectionString: url }), DEFAULT_RETENTION);
  await store.close();
  const file = join(tmpdir(), `kg-copy-${process.pid}.csv`);
  writeFileSync(file, copyCsv(at));
  const cols = 'bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, src_pod_uid, dst_ip, dst_port, dst_kind, dst_namespace, dst_pod, dst_pod_uid, protocol, direction, state, node, count, pending';
  const started = performance.now();
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', `\\copy flows (${cols}) FROM '${file}' CSV`]);
  return DISTINCT_TOTAL / ((performance.now() - started) / 1000);
}

/** All-distinct ingest over HTTP, then COPY of the same rows, back to back. */
async function distinctRatio(serverUrl: string, at: string): Promise<{ d: number; c: number }> {
  const distinctUrl = await createDatabase(serverUrl, 'bench_distinct');
  const broker = await startBroker({ DATABASE_URL: distinctUrl, DB_POOL_SIZE: '8' }, undefined, BROKER_NODE_ARGS);
  const d = await distinct(broker.url, at);
  await broker.kill();
  const c = await copyCeiling(serverUrl, at);
  console.log(`distinct: ${Math.round(d)} rows/s; COPY: ${Math.round(c)} rows/s; ratio ${(d / c).toFixed(2)} (load average ${loadavg()[0]?.toFixed(2)})`);
  return { d, c };
}

async function main(): Promise<void> {
  const pgs = startPostgres();
  try {
    const at = new Date().toISOString();
    if (process.env.ONLY_DISTINCT === '1') {
      await distinctRatio(pgs.url, at);
      return;
    }
    const realUrl = await createDatabase(pgs.url, 'bench_ingest');
    const broker = await startBroker({ DATABASE_URL: realUrl, DB_POOL_SIZE: '8' }, undefined, BROKER_NODE_ARGS);
    const r = await realistic(broker.url);
    await broker.kill();
    console.log(`realistic: ${Math.round(r.obsPerSec)} obs/s, ~${Math.round(r.rowsPerBatch)} distinct flows per 5,000-observation batch`);

    const { d, c } = await distinctRatio(pgs.url, at);

    recordSection(
      'broker-ingest',
      `## Broker ingest (\`bench/broker-ingest.bench.ts\`)

Machine: ${machineLine()}; PostgreSQL ${execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim().split(' ').at(-1)} (fsync off, throwaway cluster), broker and PostgreSQL as separate processes on both cores (shared with other work), load sent over HTTP keep-alive from this process with ${CONCURRENCY} batches in flight. Load average when it started: ${LOAD_AT_START} (other sessions' builds and tests on the same 2 cores); the ratio is measured back to back in the same run, absolute figures move with the load.

| figure | result | target |
|---|---|---|
| realistic repetition: observations/s over ${DURATION_S} s (${ACTIVE_FLOWS.toLocaleString('en')} active flows, batches of ${BATCH.toLocaleString('en')} with ~${Math.round(r.rowsPerBatch).toLocaleString('en')} distinct flows each, ${r.batches} batches) | ${Math.round(r.obsPerSec).toLocaleString('en')}/s | ≥ 100,000/s |
| all distinct: new flow rows/s over HTTP (${DISTINCT_TOTAL.toLocaleString('en')} rows) | ${Math.round(d).toLocaleString('en')}/s | |
| ceiling: the same rows with \`COPY\` through psql into the same table and indexes | ${Math.round(c).toLocaleString('en')}/s | |
| ratio HTTP ingest / COPY | ${(d / c).toFixed(2)} | ≥ 0.5 |`,
    );
  } finally {
    pgs.stop();
  }
}

await main();
