/**
 * The broker's /metrics moves with real work (PostgreSQL):
 *   - the broker process (main.ts wiring) with an evaluator double: evaluator calls and their
 *     latency when it answers (latency no lower than the double's delay), errors when it is down,
 *     verdicts stored, the ingest counters, the queue and in-flight gauges back at zero, the DB
 *     pool gauge, and the start-up retention run;
 *   - the maintenance loop in process over a real store: a run that drops expired partitions
 *     (rows really gone) counts `ok` and the partitions, a run against a closed store `error`.
 * Queue depth under saturation is asserted in middleware/ingest-gate.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EvaluateItem } from './evaluator-client.js';
import { fixedClock } from '../../runtime/clock.js';
import { silentLogger } from '../../runtime/logger.js';
import { startMaintenance } from './maintenance.js';
import { createMetrics } from './metrics.js';
import { createPgClient } from './store/pg-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './store/sql-store.js';
import { startBroker, type Broker } from './testing/broker-process.js';
import { evaluationOf, startEvaluatorDouble, type EvaluatorDouble } from './testing/evaluator-double.js';
import { batch, observation } from './testing/fixtures.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const judge = (f: EvaluateItem): ReturnType<typeof evaluationOf> =>
  evaluationOf([
    {
      policy: 'prod/deny-web', kind: 'AuditNetworkPolicy', direction: f.direction, verdict: 'WouldDeny', reason: 'test',
      ref: { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'deny-web', uid: 'u-metrics', generation: 1 },
    },
  ]);

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

async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('broker process /metrics (PostgreSQL, evaluator double)', () => {
  let db: TestDatabase;
  let double: EvaluatorDouble;
  let broker: Broker;

  beforeAll(async () => {
    db = await createTestDatabase(inject('databaseUrl'), 'broker_metrics');
    double = await startEvaluatorDouble(judge);
    broker = await startBroker({ DATABASE_URL: db.url, EVALUATOR_URL: double.url, EVALUATOR_TIMEOUT_MS: '5000' });
  });

  afterAll(async () => {
    await broker.kill();
    await double.close();
    await db.drop();
  });

  const scrape = async (): Promise<Map<string, number>> => {
    const res = await fetch(`${broker.url}/metrics`);
    expect(res.status).toBe(200);
    return samples(await res.text());
  };
  const get = (m: Map<string, number>, key: string): number => m.get(key) ?? 0;

  /** Posts `n` distinct observations (ports base..base+n-1), seen now. */
  async function post(base: number, n: number): Promise<void> {
    const at = new Date().toISOString();
    const b = batch(Array.from({ length: n }, (_, i) => observation({ at, dst: { ...observation().dst, port: base + i } })));
    const res = await fetch(`${broker.url}/v1/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    expect(res.status).toBe(200);
  }

  it('counts the start-up retention run and exposes the gauges at rest', async () => {
    const m = await scrape();
    expect(get(m, 'kguardian_broker_retention_runs_total{result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(get(m, 'kguardian_broker_retention_runs_total{result="error"}')).toBe(0);
    expect(m.get('kguardian_broker_ingest_queue_depth')).toBe(0);
    expect(m.get('kguardian_broker_ingest_in_flight')).toBe(0);
    expect(get(m, 'kguardian_broker_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
  });

  it('evaluator latency and requests move when the evaluator answers, errors when it is down, and the pending flows are judged when it returns', async () => {
    const before = await scrape();

    // Answering, slowly: every call takes at least the double's delay.
    double.delayMs = 150;
    await post(2000, 5);
    const answered = await eventually('5 verdicts stored', async () => {
      const m = await scrape();
      return get(m, 'kguardian_broker_verdicts_stored_total') - get(before, 'kguardian_broker_verdicts_stored_total') >= 5 ? m : undefined;
    });
    const okCalls = get(answered, 'kguardian_broker_evaluator_requests_total{result="ok"}') - get(before, 'kguardian_broker_evaluator_requests_total{result="ok"}');
    const latencyCount = get(answered, 'kguardian_broker_evaluator_latency_seconds_count') - get(before, 'kguardian_broker_evaluator_latency_seconds_count');
    const latencySum = get(answered, 'kguardian_broker_evaluator_latency_seconds_sum') - get(before, 'kguardian_broker_evaluator_latency_seconds_sum');
    expect(okCalls).toBeGreaterThanOrEqual(1);
    expect(latencyCount).toBeGreaterThanOrEqual(okCalls);
    // A lower bound only (a loaded machine is slower, never faster): each call waited >= 150 ms.
    expect(latencySum).toBeGreaterThanOrEqual(0.15 * okCalls - 0.001);
    expect(get(answered, 'kguardian_broker_evaluator_latency_seconds_bucket{le="0.1"}')).toBe(get(before, 'kguardian_broker_evaluator_latency_seconds_bucket{le="0.1"}'));
    expect(get(answered, 'kguardian_broker_evaluator_requests_total{result="error"}')).toBe(0);
    expect(get(answered, 'kguardian_broker_ingest_observations_total') - get(before, 'kguardian_broker_ingest_observations_total')).toBe(5);
    expect(get(answered, 'kguardian_broker_ingest_batches_total{result="stored"}') - get(before, 'kguardian_broker_ingest_batches_total{result="stored"}')).toBe(1);

    // Down: calls fail and are counted as errors (with their latency); ingest still succeeds.
    double.delayMs = 0;
    double.down = true;
    await post(3000, 3);
    const failing = await eventually('evaluator errors counted', async () => {
      const m = await scrape();
      return get(m, 'kguardian_broker_evaluator_requests_total{result="error"}') >= 1 ? m : undefined;
    });
    expect(get(failing, 'kguardian_broker_evaluator_latency_seconds_count')).toBeGreaterThan(get(answered, 'kguardian_broker_evaluator_latency_seconds_count'));
    expect(get(failing, 'kguardian_broker_verdicts_stored_total')).toBe(get(answered, 'kguardian_broker_verdicts_stored_total'));

    // Back: the 3 pending flows are judged, once each.
    double.down = false;
    const back = await eventually('3 more verdicts stored', async () => {
      const m = await scrape();
      return get(m, 'kguardian_broker_verdicts_stored_total') - get(answered, 'kguardian_broker_verdicts_stored_total') >= 3 ? m : undefined;
    });
    expect(get(back, 'kguardian_broker_verdicts_stored_total') - get(before, 'kguardian_broker_verdicts_stored_total')).toBe(8);
    expect(get(back, 'kguardian_broker_evaluator_requests_total{result="ok"}')).toBeGreaterThan(get(answered, 'kguardian_broker_evaluator_requests_total{result="ok"}'));
    expect(back.get('kguardian_broker_ingest_queue_depth')).toBe(0);
    expect(back.get('kguardian_broker_evaluation_in_flight_flows')).toBe(0);
  });
});

describe('retention runs (maintenance loop over a real store)', () => {
  it('counts a run that drops expired partitions as ok, with the partitions, and a failed run as error', async () => {
    const db = await createTestDatabase(inject('databaseUrl'), 'broker_retention_metrics');
    const start = new Date('2026-03-01T10:01:00.000Z');
    const store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION, start);
    try {
      await store.ingest(batch([observation({ at: '2026-03-01T10:00:05.000Z' })]), start);
      expect((await store.listFlows({ limit: 10 })).flows).toHaveLength(1);
      const metrics = createMetrics(() => store.poolStats());
      const clock = fixedClock(start);
      const m = startMaintenance(store, clock, silentLogger, metrics);
      m.stop();
      const value = async (name: string, labels?: Record<string, string>): Promise<number> =>
        (await metrics.registry.getSingleMetric(name)?.get())?.values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels ?? {}))?.value ?? 0;

      // Nothing expired yet.
      await m.runOnce();
      expect(await value('kguardian_broker_retention_runs_total', { result: 'ok' })).toBe(1);
      expect(await value('kguardian_broker_partitions_dropped_total')).toBe(0);

      // Ten days on: the March 1st partitions (and older) are past the 7-day retention.
      clock.advance(10 * 86_400_000);
      await m.runOnce();
      expect(await value('kguardian_broker_retention_runs_total', { result: 'ok' })).toBe(2);
      expect(await value('kguardian_broker_partitions_dropped_total')).toBeGreaterThanOrEqual(2);
      expect((await store.listFlows({ limit: 10 })).flows).toHaveLength(0);

      // The database is gone: the run fails, is counted, and does not throw.
      await store.close();
      await m.runOnce();
      expect(await value('kguardian_broker_retention_runs_total', { result: 'error' })).toBe(1);
      expect(await value('kguardian_broker_retention_runs_total', { result: 'ok' })).toBe(2);
    } finally {
      await store.close().catch(() => undefined);
      await db.drop();
    }
  });
});
