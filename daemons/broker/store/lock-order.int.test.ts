/**
 * Lock order on a real PostgreSQL, one race at a time, with no timing luck involved. Another
 * writer ("the ingester", a transaction of its own) locks rows as ingest does, in ascending key
 * order: it writes the first of two keys, then waits until the statement under test is blocked
 * behind it, then writes the second. A statement that locked the second key before queueing for
 * the first closes a cycle, and PostgreSQL aborts one side with "deadlock detected" (40P01); a
 * statement that takes its locks in key order queues for the first key holding nothing, the
 * ingester goes on, and both commit. The statements run without the store's retries, so a
 * deadlock shows as the failure it is.
 *
 * Each race starts from the order that exposes a mistake: the claim lists its rows by id, and
 * the rows were created in descending key order; the retried batch arrives after a later one.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { FlowBatch } from '../../../contracts/flow-batch.js';
import { batch, observation, verdict } from '../testing/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { completeClaim, releaseClaim } from './claims.js';
import { mergeAggregates, aggregate, writeGroup, type PendingBatch } from './flow-writes.js';
import { createPgClient } from './pg-client.js';
import type { Queryable, QueryResult, SqlClient } from './sql-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';
import type { Store } from './types.js';

const NOW = new Date('2026-03-01T10:01:00.000Z');
const AT = '2026-03-01T10:00:05.000Z';

let db: TestDatabase;
let client: SqlClient;
let store: Store;

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'lock_order');
  client = createPgClient({ connectionString: db.url });
  store = await openSqlStore(client, DEFAULT_RETENTION, NOW);
});

afterAll(async () => {
  await store.close();
  await db.drop();
});

/** One observation of the flow to `port` (keys of the same ends order as their ports, all of 4 digits). */
const toPort = (port: number, count = 1): FlowBatch => batch([observation({ at: AT, count, dst: { ...observation().dst, port } })]);

const pending = (b: FlowBatch): PendingBatch => ({ batch: b, rows: aggregate(b.flows), receivedAt: NOW });

async function run<R>(c: pg.Client, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  const r = await c.query(text, params);
  return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
}

/** A connection of its own in an open transaction, writing as ingest does. */
async function ingester(): Promise<{ pid: number; write(b: FlowBatch): Promise<unknown>; end(commit: boolean): Promise<void> }> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const tx: Queryable = { query: (text, params) => run(c, text, params) };
  const pid = Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
  await c.query('BEGIN');
  return {
    pid,
    write: (b) => writeGroup(tx, [pending(b)], mergeAggregates),
    async end(commit) {
      await c.query(commit ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
      await c.end();
    },
  };
}

/** Resolves once some session waits for a lock `pid` holds (polls pg_blocking_pids). */
async function blockedBehind(pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid]);
    if (Number(r.rows[0]?.n) > 0) return;
    if (Date.now() > deadline) throw new Error(`nothing waited for session ${pid} within 20 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Settles every claimed row, so the next race claims only its own. */
async function drain(): Promise<void> {
  for (let c = await store.claimPending(100, NOW, 60_000); c.flows.length > 0; c = await store.claimPending(100, NOW, 60_000)) {
    await store.completeClaim(c, c.flows.map((f) => ({ flowId: f.flow.id, verdicts: [] })), NOW);
  }
}

interface Race {
  title: string;
  /** Prepares the race: what the ingester writes first and second, and the statement under test. */
  prepare: () => Promise<{ first: FlowBatch; second: FlowBatch; contender: () => Promise<unknown> }>;
}

/** Two flow rows created in descending key order, claimed: the claim lists them by id, the higher key first. */
async function claimedPair(low: number, high: number): Promise<Awaited<ReturnType<Store['claimPending']>>> {
  await store.ingest(toPort(high), NOW);
  await store.ingest(toPort(low), NOW);
  const claim = await store.claimPending(10, NOW, 60_000);
  expect(claim.flows.map((c) => c.flow.dst.port)).toEqual([high, low]);
  return claim;
}

const RACES: Race[] = [
  {
    title: 'completing a claim (verdicts stored, pending subtracted)',
    prepare: async () => {
      const claim = await claimedPair(2001, 2002);
      const judgements = claim.flows.map((c) => ({ flowId: c.flow.id, verdicts: [verdict()] }));
      return { first: toPort(2001), second: toPort(2002), contender: () => client.transaction((tx) => completeClaim(tx, claim, judgements, NOW)) };
    },
  },
  {
    title: 'completing a claim of which the evaluator answered one flow',
    prepare: async () => {
      const claim = await claimedPair(2101, 2102);
      const judgements = [{ flowId: claim.flows[0]?.flow.id ?? 0, verdicts: [verdict()] }];
      return { first: toPort(2101), second: toPort(2102), contender: () => client.transaction((tx) => completeClaim(tx, claim, judgements, NOW)) };
    },
  },
  {
    title: 'releasing a claim (the evaluator failed)',
    prepare: async () => {
      const claim = await claimedPair(2201, 2202);
      return { first: toPort(2201), second: toPort(2202), contender: () => client.transaction((tx) => releaseClaim(tx, claim)) };
    },
  },
  {
    title: 'recording the ids of a group holding a retried batch after a later one',
    prepare: () => {
      const a = toPort(2301);
      const b = { ...toPort(2302), batchId: `${a.batchId}-later` };
      // The group's own order: b arrived first, then a's retry.
      return Promise.resolve({ first: a, second: b, contender: () => client.transaction((tx) => writeGroup(tx, [pending(b), pending(a)], mergeAggregates)) });
    },
  },
];

describe('lock order against a concurrent ingester (PostgreSQL)', () => {
  beforeEach(drain);

  it.each(RACES)('$title: no deadlock', async ({ prepare }) => {
    const { first, second, contender } = await prepare();
    const other = await ingester();
    let committed = false;
    try {
      await other.write(first);
      const outcome = contender().then(
        () => 'done',
        (err: unknown) => `failed: ${(err as { code?: string }).code ?? ''} ${String(err)}`,
      );
      await blockedBehind(other.pid);
      await other.write(second);
      await other.end(true);
      committed = true;
      expect(await outcome).toBe('done');
    } finally {
      if (!committed) await other.end(false);
    }
  });
});
