/**
 * One agent's bad data must not fail the others' batches, on a real PostgreSQL:
 *  - the addresses validation accepts are addresses `inet` stores (zone ids are refused with a
 *    400 naming the field, before anything reaches the database);
 *  - concurrent batches over HTTP, one of them bad: every valid one is stored exactly once;
 *  - under validation, when a shared ingest transaction still fails on one batch's data, the
 *    other batches of that transaction are written alone and stored, and only the bad one is
 *    refused (RejectedBatchError, a 400 at the route).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isStorableIp } from '../../../contracts/ip-address.js';
import type { FlowBatch } from '../../../contracts/flow-batch.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { aggregate } from './flow-writes.js';
import { IngestQueue } from './ingest-queue.js';
import { createPgClient } from './pg-client.js';
import { RejectedBatchError } from './rejected-batch.js';
import type { SqlClient } from './sql-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';
import type { IngestResult, Store } from './types.js';

const NOW = new Date('2026-03-01T10:01:00.000Z');

let db: TestDatabase;
let store: Store;
let client: SqlClient;
let t: TestApp;

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'bad_batch');
  store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION, NOW);
  client = createPgClient({ connectionString: db.url });
  t = testApp(store, NOW);
});

afterAll(async () => {
  await client.close();
  await store.close();
  await db.drop();
});

/** A batch of one observation to `port`, from `ip`; each port is its own flow row. */
const batchTo = (port: number, ip = '10.0.1.5'): FlowBatch => batch([observation({ src: { ...observation().src, ip }, dst: { ...observation().dst, port } })]);

async function storedCount(ports: readonly number[]): Promise<Map<number, number>> {
  const r = await client.query<{ port: number; n: string }>('SELECT dst_port AS port, sum(count) AS n FROM flows WHERE dst_port = ANY($1::int[]) GROUP BY dst_port', [ports]);
  return new Map(r.rows.map((row) => [row.port, Number(row.n)]));
}

describe('addresses', () => {
  it.each([
    { ip: '10.0.0.1', ours: true },
    { ip: '::1', ours: true },
    { ip: '::ffff:10.0.0.1', ours: true },
    { ip: '::10.0.0.1', ours: true },
    { ip: 'FE80::1', ours: true },
    { ip: '2001:db8::', ours: true },
    { ip: '0:0:0:0:0:0:0:1', ours: true },
    { ip: 'fe80::1%eth0', ours: false }, // a zone id: inet has no room for it
    { ip: 'fe80::1%1', ours: false },
    { ip: 'fe80::1%', ours: false },
    { ip: '10.0.0.1/32', ours: false }, // a network, not an address (inet would take it)
    { ip: '010.0.0.1', ours: false },
    { ip: '1.2.3', ours: false },
  ])('$ip: accepted by validation = $ours, and then stored by inet', async ({ ip, ours }) => {
    expect(isStorableIp(ip)).toBe(ours);
    if (!ours) return;
    const r = await client.query<{ ok: boolean }>('SELECT $1::inet IS NOT NULL AS ok', [ip]);
    expect(r.rows[0]?.ok).toBe(true);
  });

  // One batch's rows are keyed by their text before the upsert, which may touch a row only once:
  // spellings of one inet value must share a key, and distinct values (::ffff:a.b.c.d, the
  // IPv4-mapped form, is not ::a.b.c.d) must not.
  it.each([
    { a: '::10.0.0.7', b: '::a00:7', port: 9101, rows: 1 },
    { a: 'fd00::7', b: 'FD00:0::0007', port: 9102, rows: 1 },
    { a: '::10.0.0.7', b: '::ffff:10.0.0.7', port: 9103, rows: 2 },
  ])('$a and $b in one batch are stored as $rows row(s)', async ({ a, b, port, rows }) => {
    const obs = (ip: string) => observation({ src: { ...observation().src, ip }, dst: { ...observation().dst, port } });
    const r = await t.post('/v1/flows', batch([obs(a), obs(b)]));
    expect(r.status).toBe(200);
    const stored = await client.query<{ ip: string; n: string }>('SELECT src_ip::text AS ip, sum(count) AS n FROM flows WHERE dst_port = $1 GROUP BY src_ip', [port]);
    expect(stored.rows).toHaveLength(rows);
    expect(stored.rows.reduce((n, row) => n + Number(row.n), 0)).toBe(2);
  });

  it('refuses a zone id with a 400 naming the field', async () => {
    const r = await t.post('/v1/flows', batchTo(9000, 'fe80::1%eth0'));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'flows[0].src.ip', index: 0 });
  });
});

describe('concurrent batches, one bad', () => {
  it('stores every valid batch exactly once and refuses only the bad one', async () => {
    const ports = Array.from({ length: 30 }, (_, i) => 10_000 + i);
    const requests = ports.map((port, i) => t.post('/v1/flows', i === 15 ? batchTo(port, 'fe80::1%eth0') : batchTo(port)));
    const answers = await Promise.all(requests);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(29);
    expect(statuses[15]).toBe(400);
    const stored = await storedCount(ports);
    expect(stored.size).toBe(29);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
  });

  it('writes the other batches of a shared transaction alone when the database refuses one batch', async () => {
    // One writer: the first batch is written at once, the next ones queue and share the next
    // transaction. The bad batch bypasses validation, as a value validation missed would.
    const transactions: number[] = [];
    const counting: SqlClient = {
      ...client,
      engine: client.engine,
      query: (text, params) => client.query(text, params),
      poolStats: () => client.poolStats(),
      close: () => client.close(),
      transaction: async (fn) => {
        transactions.push(1);
        return client.transaction(fn);
      },
    };
    const queue = new IngestQueue(counting, { retrying: (fn) => fn(), writers: 1 });
    const ports = Array.from({ length: 8 }, (_, i) => 20_000 + i);
    const submit = (b: FlowBatch): Promise<IngestResult> => queue.submit(b, aggregate(b.flows), NOW);
    const bad = batchTo(ports[4] ?? 0, 'fe80::1%eth0');
    const results = await Promise.allSettled(ports.map((port, i) => submit(i === 4 ? bad : batchTo(port))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const refused = results[4];
    expect(refused?.status === 'rejected' && refused.reason instanceof RejectedBatchError).toBe(true);
    // The first batch alone, the shared transaction of the other seven, then each of those alone.
    expect(transactions).toHaveLength(1 + 1 + 7);
    const stored = await storedCount(ports);
    expect(stored.size).toBe(7);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
  });

  it('answers a batch the database refused with a 400 naming flows', async () => {
    // A store that receives, past validation, a value inet refuses: the real error, end to end.
    const corrupting: Store = {
      ...store,
      ingest: (b, at) => store.ingest({ ...b, flows: b.flows.map((f) => ({ ...f, src: { ...f.src, ip: 'fe80::1%eth0' } })) }, at),
    };
    const r = await testApp(corrupting, NOW).post('/v1/flows', batchTo(30_000));
    expect(r.status).toBe(400);
    const body = (await r.json()) as { field?: string; error?: string };
    expect(body.field).toBe('flows');
    expect(body.error).toMatch(/refused a value/);
  });
});
