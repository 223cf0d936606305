/**
 * Replays on a real PostgreSQL with the HTTP evaluator double, racing the live dispatcher and a
 * steady ingest: after the job completes and the live path has drained, every flow row's
 * observations are counted exactly once at the new generation. Also: 409 ends a job as
 * Superseded, a job handed back mid-pass resumes from its cursor, and two workers share one job
 * without double counting.
 */
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.js';
import { createEvaluatorClient, type EvaluateItem, type EvaluatorClient, type OnlyPolicy } from '../evaluator-client.js';
import { EvaluationDispatcher } from '../evaluation/dispatcher.js';
import { silentLogger } from '../../../runtime/logger.js';
import { createMetrics } from '../metrics.js';
import { createPgClient } from '../store/pg-client.js';
import type { ReplayJob, ReplayPolicy } from '../../../contracts/replay.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { evaluationOf, startEvaluatorDouble, type EvaluatorDouble } from '../testing/evaluator-double.js';
import { batch, observation } from '../testing/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { ReplayWorker } from './replay-worker.js';

const POLICY: ReplayPolicy = { uid: 'u1', kind: 'AuditNetworkPolicy', namespace: 'frontend', name: 'web', generation: 2 };
const FLOWS = 1500;

describe('replays (PostgreSQL)', () => {
  let db: TestDatabase;
  let store: Store;
  let sql: pg.Client;
  let double: EvaluatorDouble;
  /** The generation the double's live answers carry (the evaluator's model). */
  let liveGeneration = 1;
  const stops: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });

  async function setup(name: string): Promise<void> {
    db = await createTestDatabase(inject('databaseUrl'), name);
    store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    liveGeneration = 1;
    double = await startEvaluatorDouble((f: EvaluateItem, only?: OnlyPolicy) => {
      const generation = only?.generation ?? liveGeneration;
      const v = (uid: string, verdict: 'Allow' | 'WouldDeny') => ({
        policy: `frontend/${uid}`, kind: 'AuditNetworkPolicy' as const, direction: f.direction, verdict, reason: `gen ${generation}`,
        ref: { kind: 'AuditNetworkPolicy' as const, namespace: 'frontend', name: uid, uid, generation },
      });
      return evaluationOf([v('u1', f.flow.port % 2 ? 'WouldDeny' : 'Allow'), v('u2', 'Allow')]);
    });
    stops.push(async () => {
      await double.close();
      await sql.end();
      await store.close();
      await db.drop();
    });
  }

  const at = (): string => new Date(Date.now() - 120_000).toISOString();
  const flows = (n: number, count: number, when = at()) =>
    Array.from({ length: n }, (_, i) => observation({ at: when, count, dst: { ...observation().dst, port: 1 + i } }));

  /** The live path; `slowMs` holds each claim that long before the evaluator answers. */
  function dispatcher(slowMs = 0, batchSize = 200): EvaluationDispatcher {
    const http = createEvaluatorClient({ baseUrl: double.url });
    const client: EvaluatorClient = {
      evaluate: async (items, only) => {
        if (slowMs > 0) await new Promise((r) => setTimeout(r, slowMs));
        return http.evaluate(items, only);
      },
    };
    const d = new EvaluationDispatcher({
      store, client, clock: systemClock, logger: silentLogger, metrics: createMetrics(), batchSize, concurrency: 2, idleMs: 10, maxBackoffMs: 50,
    });
    d.start();
    stops.push(() => d.stop());
    return d;
  }

  function worker(pageSize = 200, settleMs = 10_000, batchSize = 5000): ReplayWorker {
    const w = new ReplayWorker({
      store: store.replays, client: createEvaluatorClient({ baseUrl: double.url }), clock: systemClock, logger: silentLogger,
      pageSize, settleMs, batchSize, concurrency: 3, idleMs: 20, retryDelayMs: 20, maxRetryDelayMs: 100, leaseMs: 5000,
    });
    w.start();
    stops.push(() => w.stop());
    return w;
  }

  async function waitFor(id: number, states: ReplayJob['state'][], timeoutMs = 30_000): Promise<ReplayJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await store.replays.get(id);
      if (job && states.includes(job.state)) return job;
      if (Date.now() > deadline) throw new Error(`replay ${id} is ${job?.state}, not ${states.join('/')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function drained(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await sql.query<{ n: string }>('SELECT coalesce(sum(pending), 0) AS n FROM flows');
      if (Number(r.rows[0]!.n) === 0) return;
      if (Date.now() > deadline) throw new Error(`still ${r.rows[0]!.n} observations pending`);
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  /**
   * Flows whose observations are not counted exactly once at u1's generation 2. Replayed verdicts
   * are aggregated (flow_id 0), so counts are compared per port, which tells every test's flows
   * apart (or, in the resume test, flows of different minutes that all owe the same).
   */
  async function miscounted(): Promise<{ port: number; count: string; counted: string }[]> {
    const r = await sql.query<{ port: number; count: string; counted: string }>(
      `WITH f AS (SELECT dst_port AS port, sum(count) AS n FROM flows GROUP BY dst_port),
         v AS (SELECT port, sum(count) AS n FROM audit_verdicts WHERE policy_uid = 'u1' AND policy_generation = 2 GROUP BY port)
       SELECT port, coalesce(f.n, 0) AS count, coalesce(v.n, 0) AS counted FROM f FULL JOIN v USING (port)
       WHERE coalesce(f.n, 0) <> coalesce(v.n, 0) ORDER BY port`,
    );
    return r.rows;
  }

  it('counts every observation exactly once at the new generation while the live path and ingest race it', async () => {
    await setup('replay_race');
    double.delayMs = 5; // live claims spend time in flight, so the replay meets them
    const when = at(); // one minute bucket: every ingest below adds to the same FLOWS rows
    await store.ingest(batch(flows(FLOWS, 2, when)), new Date());
    const live = dispatcher();
    await waitForPending((n) => n < FLOWS); // some judged at generation 1
    liveGeneration = 2; // the evaluator sees the edit; from now on live verdicts are generation 2
    double.generations.set('u1', 2);
    let ingesting = true;
    const ingest = (async () => {
      for (let i = 0; ingesting; i++) {
        await store.ingest(batch(flows(FLOWS, 1 + (i % 3), when)), new Date());
        live.wake();
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const { job, created } = await store.replays.create({ policy: POLICY, since: new Date(Date.now() - 3_600_000) }, new Date());
    expect(created).toBe(true);
    worker(200, 1000);
    const done = await waitFor(job.id, ['Complete', 'Failed', 'Superseded']);
    ingesting = false;
    await ingest;
    await drained();
    expect(done.state).toBe('Complete');
    expect(done.flowsTotal).toBe(FLOWS);
    expect(await miscounted()).toEqual([]);
    // The replay asked for u1 at generation 2 only, and stored verdicts of nothing else.
    expect(double.calls.some((c) => c.only?.uid === 'u1' && c.only.generation === 2)).toBe(true);
    expect(double.calls.filter((c) => c.only !== undefined).every((c) => c.only!.uid === 'u1')).toBe(true);
  });

  async function waitForPending(ok: (n: number) => boolean): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await sql.query<{ n: string }>('SELECT count(*) AS n FROM flows WHERE pending > 0');
      if (ok(Number(r.rows[0]!.n))) return;
      if (Date.now() > deadline) throw new Error('pending never reached the expected state');
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  it('waits for live claims in flight (judged by a replica still at the old generation) and counts them too', async () => {
    await setup('replay_claims');
    await store.ingest(batch(flows(FLOWS, 2)), new Date());
    // Live batches of 100 stay claimed for 150 ms each, all judged at generation 1; the replay
    // overtakes them and meets rows under a claim.
    dispatcher(150, 100);
    await waitForPending((n) => n < FLOWS); // the first claims have completed, others are in flight
    const { job } = await store.replays.create({ policy: POLICY, since: new Date(Date.now() - 3_600_000) }, new Date());
    worker();
    const done = await waitFor(job.id, ['Complete', 'Failed', 'Superseded']);
    await drained();
    expect(done.state).toBe('Complete');
    expect(await miscounted()).toEqual([]);
    const gen1 = await sql.query<{ n: string }>("SELECT coalesce(sum(count), 0) AS n FROM audit_verdicts WHERE policy_uid = 'u1' AND policy_generation = 1");
    expect(Number(gen1.rows[0]!.n)).toBe(FLOWS * 2); // the live path judged everything at the old generation
  });

  it('ends as Superseded when the evaluator holds another generation (409)', async () => {
    await setup('replay_409');
    await store.ingest(batch(flows(50, 1)), new Date());
    dispatcher();
    await drained();
    double.generations.set('u1', 3);
    const { job } = await store.replays.create({ policy: POLICY, since: new Date(Date.now() - 3_600_000) }, new Date());
    worker();
    const done = await waitFor(job.id, ['Complete', 'Failed', 'Superseded']);
    expect(done.state).toBe('Superseded');
    expect(done.error).toMatch(/generation 3/);
    const stored = await sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_verdicts WHERE policy_generation = 2');
    expect(Number(stored.rows[0]!.n)).toBe(0);
  });

  it('resumes a job handed back mid-pass from its cursor; of two workers started then, one finishes it, counting once', async () => {
    await setup('replay_resume');
    // Six ten-minute slots of the last hour (a main-pass page is one slot).
    for (let slot = 0; slot < 6; slot++) {
      await store.ingest(batch(flows(FLOWS / 6, 3, new Date(Date.now() - (55 - 10 * slot) * 60_000).toISOString())), new Date());
    }
    liveGeneration = 2;
    dispatcher();
    await drained(); // everything judged live at generation 2 already: the replay owes... nothing
    await sql.query("UPDATE audit_verdicts SET policy_generation = 1 WHERE flow_id % 3 = 0"); // ...except for a third of the rows
    const { job } = await store.replays.create({ policy: POLICY, since: new Date(Date.now() - 3_600_000) }, new Date());
    double.delayMs = 30;
    const first = worker(100, 10_000, 20); // small evaluator calls: a slot takes a while
    for (let j = await store.replays.get(job.id); (j?.flowsScanned ?? 0) === 0; j = await store.replays.get(job.id)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await first.stop();
    const half = (await store.replays.get(job.id))!;
    expect(half.state).toBe('Running');
    expect(half.flowsScanned).toBeGreaterThan(0);
    expect(half.flowsScanned).toBeLessThan(FLOWS);
    double.delayMs = 0;
    worker(100);
    worker(100);
    const done = await waitFor(job.id, ['Complete', 'Failed', 'Superseded']);
    expect([done.state, done.flowsScanned]).toEqual(['Complete', FLOWS]);
    expect(await miscounted()).toEqual([]);
    // Only the rows moved to generation 1 got a replay verdict: a third of them.
    expect(done.verdicts).toBe(FLOWS / 3);
  });
});
