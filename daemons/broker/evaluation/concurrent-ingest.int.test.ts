/**
 * Several agents posting flow batches at once to two broker replicas on one PostgreSQL, while
 * both replicas' evaluation loops claim, judge and complete the same rows: every batch must be
 * answered 200 at the first try, no transaction may ever be aborted by a deadlock (40P01) or a
 * serialization failure (40001), even one the store's retries would hide, and every observation
 * is judged exactly once in the end.
 *
 * The rows are created one at a time in descending key order before the agents start, so the
 * evaluation loop (which claims by id) lists them in the reverse of the order ingest locks them
 * in: the worst case for a statement that locks claimed rows in claim order. The database
 * detects deadlocks after 20 ms instead of a second, so each one costs little and several show
 * within the test's few seconds if the lock order is wrong.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FlowBatch, FlowObservation } from '../../../contracts/flow-batch.js';
import { systemClock } from '../../../runtime/clock.js';
import { silentLogger } from '../../../runtime/logger.js';
import { seededRandom } from '../../../runtime/testing/seeded-random.js';
import { createEvaluatorClient, type EvaluateItem } from '../evaluator-client.js';
import { createMetrics } from '../metrics.js';
import { isTransactionConflict } from '../store/conflict-retry.js';
import { createPgClient } from '../store/pg-client.js';
import type { Queryable, SqlClient } from '../store/sql-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { evaluationOf, startEvaluatorDouble, type EvaluatorDouble } from '../testing/evaluator-double.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { EvaluationDispatcher } from './dispatcher.js';

const FLOWS = 120;
const AGENTS = 6;
const BATCHES_PER_AGENT = 12;
const FLOWS_PER_BATCH = 50;
const REPLICAS = 2;

const judge = (f: EvaluateItem) =>
  evaluationOf([
    {
      policy: 'prod/deny-web', kind: 'AuditNetworkPolicy', direction: f.direction, verdict: 'WouldDeny', reason: 'test',
      ref: { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'deny-web', uid: 'u1', generation: 1 },
    },
  ]);

/** A transaction the database aborted for a concurrent one: its SQLSTATE, statement, and the waits PostgreSQL found. */
interface Conflict {
  code: string;
  statement: string;
  detail?: string;
}

/** The client with every conflict noted, including those the store then retries successfully. */
function watchConflicts(client: SqlClient, conflicts: Conflict[]): SqlClient {
  const watched = (q: Queryable): Queryable => ({
    query: async <R>(text: string, params?: unknown[]) => {
      try {
        return await q.query<R>(text, params);
      } catch (err) {
        if (isTransactionConflict(err)) {
          const { code, detail } = err as { code: string; detail?: string };
          conflicts.push({ code, statement: text.trim().split('\n')[0] ?? '', detail });
        }
        throw err;
      }
    },
  });
  return { ...client, ...watched(client), transaction: (fn) => client.transaction((tx) => fn(watched(tx))) };
}

/** A copy of `items` in random order (Fisher-Yates). */
function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface Replica {
  store: Store;
  app: TestApp;
  dispatcher: EvaluationDispatcher;
}

let db: TestDatabase;
let double: EvaluatorDouble;
const conflicts: Conflict[] = [];
const replicas: Replica[] = [];
const now = new Date();
// One minute bucket for every observation, a little in the past.
const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - 60_000 + 5_000).toISOString();
const flows: FlowObservation[] = Array.from({ length: FLOWS }, (_, i) => observation({ at, dst: { ...observation().dst, port: 3000 + i } }));

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'concurrent_ingest');
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  // A superuser setting for new sessions of this database only (the test server's role is one).
  await admin.query(`ALTER DATABASE ${db.name} SET deadlock_timeout = '20ms'`);
  await admin.end();
  double = await startEvaluatorDouble(judge);
  for (let i = 0; i < REPLICAS; i++) {
    const store = await openSqlStore(watchConflicts(createPgClient({ connectionString: db.url }), conflicts), DEFAULT_RETENTION, now);
    const dispatcher = new EvaluationDispatcher({
      store, client: createEvaluatorClient({ baseUrl: double.url }), clock: systemClock, logger: silentLogger, metrics: createMetrics(),
      batchSize: 40, concurrency: 2, idleMs: 5, maxBackoffMs: 50,
    });
    replicas.push({ store, app: testApp(store, now), dispatcher });
  }
});

afterAll(async () => {
  for (const r of replicas) await r.dispatcher.stop();
  for (const r of replicas) await r.store.close();
  await double.close();
  await db.drop();
});

async function verdictCount(store: Store): Promise<number> {
  let count = 0;
  let before: number | undefined;
  do {
    const p = await store.listVerdicts({ limit: 1000, beforeId: before });
    count += p.verdicts.reduce((s, v) => s + v.count, 0);
    before = p.nextBeforeId ?? undefined;
  } while (before !== undefined);
  return count;
}

/** An agent: posts its batches one after another to the replicas in turn, resending a batch until it is accepted. */
async function agent(id: number, statuses: number[]): Promise<number> {
  const next = seededRandom(id + 1);
  let observations = 0;
  for (let n = 0; n < BATCHES_PER_AGENT; n++) {
    const picked = shuffled(flows, next).slice(0, FLOWS_PER_BATCH).map((f) => ({ ...f, node: `node-${id}` }));
    const b: FlowBatch = batch(picked, { node: `node-${id}` });
    const app = replicas[(id + n) % REPLICAS]?.app;
    if (app === undefined) throw new Error('no replica');
    for (let attempt = 1; ; attempt++) {
      const res = await app.post('/v1/flows', b);
      statuses.push(res.status);
      if (res.status === 200) break;
      if (attempt === 20) throw new Error(`batch ${b.batchId} refused 20 times, last with ${res.status}: ${await res.text()}`);
    }
    observations += picked.length;
  }
  return observations;
}

describe('concurrent ingest with the evaluation loop live (PostgreSQL)', () => {
  it('answers every batch 200 at once, never deadlocks, and judges each observation once', async () => {
    const first = replicas[0];
    if (first === undefined) throw new Error('no replica');
    // Rows created in descending key order (ports of 4 digits order as numbers).
    for (const f of [...flows].reverse()) await first.store.ingest(batch([f]), now);
    for (const r of replicas) r.dispatcher.start();

    const statuses: number[] = [];
    const posted = (await Promise.all(Array.from({ length: AGENTS }, (_, i) => agent(i, statuses)))).reduce((s, n) => s + n, 0);
    const expected = FLOWS + posted;
    const deadline = Date.now() + 20_000;
    while ((await verdictCount(first.store)) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const r of replicas) await r.dispatcher.stop();

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(conflicts).toEqual([]);
    expect(await verdictCount(first.store)).toBe(expected);
    expect(statuses).toHaveLength(AGENTS * BATCHES_PER_AGENT);
  });
});
