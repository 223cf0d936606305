/**
 * Load shedding on a real PostgreSQL: the `flows` table is locked (ACCESS EXCLUSIVE, from another
 * session) so ingest really stalls in the database; with a gate of 1 writer and 2 waiting, the
 * first batch sits in the database, two wait for a slot, and the rest are refused at once with
 * 503 + Retry-After, counted in kguardian_broker_shed_total, with the in-flight and queue-depth
 * gauges showing the saturation. When the lock goes, every accepted batch is stored, the refused
 * ones are stored on retry, and nothing is counted twice.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FlowBatch } from '../../../contracts/flow-batch.js';
import { createPgClient } from '../store/pg-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';

const NOW = new Date('2026-03-01T10:01:00.000Z');

let db: TestDatabase;
let store: Store;
let t: TestApp;

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'ingest_gate');
  store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION);
  t = testApp(store, NOW, { ingest: { maxInFlight: 1, maxQueued: 2 } });
});

afterAll(async () => {
  await store.close();
  await db.drop();
});

/** One batch of one observation to port `port`, `count` times: each batch its own flow row. */
const batchTo = (port: number, count: number): FlowBatch => batch([observation({ dst: { ...observation().dst, port }, count })]);

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await t.get('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until(what: string, f: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The response, or a failure if none comes within the deadline (a request that queued instead of being shed). */
async function answerWithin(p: Promise<Response>, what: string, ms = 20_000): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no answer within ${ms} ms (queued instead of shed?)`));
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function storedObservations(): Promise<{ rows: number; count: number }> {
  let rows = 0;
  let count = 0;
  let cursor: number | undefined;
  for (;;) {
    const page = await store.listFlows({ since: new Date(NOW.getTime() - 3_600_000), until: new Date(NOW.getTime() + 60_000), afterId: cursor, limit: 1000 });
    rows += page.flows.length;
    count += page.flows.reduce((s, f) => s + f.count, 0);
    if (page.nextCursor === null) return { rows, count };
    cursor = page.nextCursor;
  }
}

describe('ingest gate under a stalled database (PostgreSQL)', () => {
  it('sheds with 503 + Retry-After beyond in-flight + queue, counts it, and loses nothing it accepted', async () => {
    // Warm-up: creates the day's partitions, so the stalled requests wait only on the lock below.
    expect((await t.post('/v1/flows', batchTo(1000, 1))).status).toBe(200);
    expect(await metric('kguardian_broker_shed_total', '{route="/v1/flows"}')).toBeNaN();

    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    let locked = true;
    const accepted: { batch: FlowBatch; res: Promise<Response> }[] = [];
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE flows IN ACCESS EXCLUSIVE MODE');

      // One writer: its transaction waits on the lock.
      const a = batchTo(1001, 2);
      accepted.push({ batch: a, res: t.post('/v1/flows', a) });
      await until('one batch in flight', async () => (await metric('kguardian_broker_ingest_in_flight')) === 1);
      // Two wait for the slot.
      for (const [port, count] of [[1002, 3], [1003, 4]] as const) {
        const b = batchTo(port, count);
        accepted.push({ batch: b, res: t.post('/v1/flows', b) });
      }
      await until('two batches queued', async () => (await metric('kguardian_broker_ingest_queue_depth')) === 2);
      // The writer really is stuck in PostgreSQL, behind the lock.
      await until('the writer waits on the lock in PostgreSQL', async () => {
        const waiting = await locker.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        );
        return Number(waiting.rows[0]?.n) >= 1;
      });

      // Saturated: refused at once, with Retry-After, and counted.
      const refused = [batchTo(1004, 5), batchTo(1005, 6)];
      for (const [i, b] of refused.entries()) {
        const res = await answerWithin(t.post('/v1/flows', b), `refused batch ${i}`);
        expect(res.status).toBe(503);
        expect(res.headers.get('Retry-After')).toBe('1');
        const body = (await res.json()) as { error: string };
        expect(body.error).toMatch(/saturated/);
      }
      expect(await metric('kguardian_broker_shed_total', '{route="/v1/flows"}')).toBe(2);
      expect(await metric('kguardian_broker_ingest_in_flight')).toBe(1);
      expect(await metric('kguardian_broker_ingest_queue_depth')).toBe(2);

      // The database comes back: every accepted batch is stored.
      await locker.query('COMMIT');
      locked = false;
      for (const { res } of accepted) {
        const r = await answerWithin(res, 'accepted batch', 30_000);
        expect(r.status).toBe(200);
        expect(((await r.json()) as { duplicate: boolean }).duplicate).toBe(false);
      }
      await until('gate drained', async () => (await metric('kguardian_broker_ingest_in_flight')) === 0 && (await metric('kguardian_broker_ingest_queue_depth')) === 0);

      // The agent retries what was shed: stored now. Re-sending an accepted batch stores nothing twice.
      for (const b of refused) expect((await t.post('/v1/flows', b)).status).toBe(200);
      const again = await t.post('/v1/flows', a);
      expect(again.status).toBe(200);
      expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
    } finally {
      if (locked) await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }

    // Warm-up 1 + accepted 2 + 3 + 4 + retried 5 + 6, one row each.
    expect(await storedObservations()).toEqual({ rows: 6, count: 21 });
    // Six batches of one observation each were stored (the duplicate is not counted).
    expect(await metric('kguardian_broker_ingest_observations_total')).toBe(6);
    expect(await metric('kguardian_broker_ingest_batches_total', '{result="duplicate"}')).toBe(1);
    expect(await metric('kguardian_broker_shed_total', '{route="/v1/flows"}')).toBe(2);
  });
});
