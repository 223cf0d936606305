/**
 * The evaluation path on a real PostgreSQL with an HTTP evaluator double: batches, exactly-once
 * judgement across an evaluator outage, and ingest that never waits for evaluation.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.js';
import { createEvaluatorClient } from '../evaluator-client.js';
import { silentLogger } from '../../../runtime/logger.js';
import { createMetrics } from '../metrics.js';
import { createPgClient } from '../store/pg-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { evaluationOf, startEvaluatorDouble, type EvaluatorDouble } from '../testing/evaluator-double.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp } from '../testing/test-app.js';
import { createTestDatabase } from '../testing/test-database.js';
import { EvaluationDispatcher } from './dispatcher.js';
import type { EvaluateItem } from '../evaluator-client.js';

const judge = (f: EvaluateItem) =>
  evaluationOf([
    {
      policy: 'prod/deny-web', kind: 'AuditNetworkPolicy', direction: f.direction, verdict: f.flow.port % 2 ? 'WouldDeny' : 'Allow',
      reason: 'test', ref: { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'deny-web', uid: 'u1', generation: 1 },
    },
    {
      policy: 'prod/np', kind: 'NetworkPolicy', direction: f.direction, verdict: 'Allow', reason: 'enforced',
      ref: { kind: 'NetworkPolicy', namespace: 'prod', name: 'np' },
    },
  ]);

async function sumVerdictCounts(store: Store): Promise<{ rows: number; count: number }> {
  let rows = 0;
  let count = 0;
  let before: number | undefined;
  do {
    const p = await store.listVerdicts({ limit: 1000, beforeId: before });
    rows += p.verdicts.length;
    count += p.verdicts.reduce((s, v) => s + v.count, 0);
    before = p.nextBeforeId ?? undefined;
  } while (before !== undefined);
  return { rows, count };
}

describe('evaluation dispatcher (PostgreSQL)', () => {
  let store: Store;
  let double: EvaluatorDouble;
  const now = () => new Date();
  afterEach(async () => {
    await store.close();
    await double.close();
  });

  async function setup(name: string): Promise<void> {
    const d = await createTestDatabase(inject('databaseUrl'), name);
    store = await openSqlStore(createPgClient({ connectionString: d.url }), DEFAULT_RETENTION);
    double = await startEvaluatorDouble(judge);
    const drop = store.close.bind(store);
    store.close = async () => {
      await drop();
      await d.drop();
    };
  }

  function flows(n: number, count = 1) {
    const at = new Date(Date.now() - 60_000).toISOString();
    return Array.from({ length: n }, (_, i) => observation({ at, count, dst: { ...observation().dst, port: 1 + i } }));
  }

  it('sends flows in batches and stores only audit verdicts of the observed direction', async () => {
    await setup('eval_batches');
    await store.ingest(batch(flows(1200)), now());
    const d = new EvaluationDispatcher({
      store, client: createEvaluatorClient({ baseUrl: double.url }), clock: systemClock, logger: silentLogger, metrics: createMetrics(), batchSize: 500,
    });
    expect([await d.runOnce(), await d.runOnce(), await d.runOnce(), await d.runOnce()]).toEqual([500, 500, 200, 0]);
    expect(double.requests.map((r) => r.length)).toEqual([500, 500, 200]);
    const sums = await sumVerdictCounts(store);
    expect(sums).toEqual({ rows: 1200, count: 1200 }); // one AuditNetworkPolicy verdict each, no NetworkPolicy rows
    const deny = await store.listVerdicts({ verdict: 'WouldDeny', limit: 1000 });
    expect(deny.verdicts.every((v) => v.port % 2 === 1 && v.direction === 'Egress' && v.policy.uid === 'u1')).toBe(true);
  });

  it('keeps flows pending while the evaluator is down and judges each observation once when it returns', async () => {
    await setup('eval_outage');
    double.down = true;
    const metrics = createMetrics();
    const d = new EvaluationDispatcher({
      store, client: createEvaluatorClient({ baseUrl: double.url, attempts: 1 }), clock: systemClock, logger: silentLogger, metrics,
      batchSize: 100, concurrency: 3, idleMs: 20, maxBackoffMs: 50,
    });
    d.start();
    try {
      await store.ingest(batch(flows(250, 2)), now());
      d.wake();
      await new Promise((r) => setTimeout(r, 300));
      expect((await sumVerdictCounts(store)).rows).toBe(0);
      double.down = false;
      // More traffic for the same flows arrives after the outage: it is judged too, once.
      await store.ingest(batch(flows(250, 3)), now());
      const deadline = Date.now() + 20_000;
      while ((await sumVerdictCounts(store)).count < 250 * 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await d.stop();
    }
    expect(await sumVerdictCounts(store)).toMatchObject({ count: 250 * 5 });
    expect((await store.claimPending(10, now(), 1000)).flows).toEqual([]);
  });

  // Bounded concurrency, seen from the evaluator's side: the first requests are held until the
  // bound is in flight at once (so it is reached however slowly the workers start on a loaded
  // machine), later ones answered slowly; the count of requests open at once never passes it.
  it.each([1, 3])('never has more than %i POST /evaluate in flight at once', async (concurrency) => {
    await setup(`eval_bound_${concurrency}`);
    double.delayMs = 80;
    double.holdUntilInFlight = concurrency;
    await store.ingest(batch(flows(600)), now());
    const d = new EvaluationDispatcher({
      store, client: createEvaluatorClient({ baseUrl: double.url, timeoutMs: 10_000 }), clock: systemClock, logger: silentLogger,
      metrics: createMetrics(), batchSize: 40, concurrency, idleMs: 10,
    });
    d.start();
    try {
      const deadline = Date.now() + 30_000;
      while ((await sumVerdictCounts(store)).count < 600 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await d.stop();
    }
    expect(await sumVerdictCounts(store)).toEqual({ rows: 600, count: 600 });
    expect(double.requests.length).toBe(600 / 40);
    expect(double.maxInFlight).toBe(concurrency);
  });

  it('answers ingest at once while the evaluator is slow', async () => {
    await setup('eval_slow');
    double.delayMs = 3000;
    const t = testApp(store, new Date());
    const d = new EvaluationDispatcher({
      store, client: createEvaluatorClient({ baseUrl: double.url, timeoutMs: 10_000 }), clock: systemClock, logger: silentLogger,
      metrics: createMetrics(), concurrency: 2, idleMs: 10,
    });
    d.start();
    try {
      await store.ingest(batch(flows(50)), now());
      d.wake();
      await new Promise((r) => setTimeout(r, 200)); // the workers are now waiting on the evaluator
      const started = performance.now();
      const r = await t.post('/v1/flows', batch(flows(50, 5)));
      expect(r.status).toBe(200);
      // Waiting on the evaluator would take its whole delay; anything shorter is an answer that did
      // not wait (a tighter bound would measure the machine's load, not the dispatcher).
      expect(performance.now() - started).toBeLessThan(double.delayMs);
    } finally {
      double.delayMs = 0;
      await d.stop();
    }
  });
});
