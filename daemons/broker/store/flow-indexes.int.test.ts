/**
 * GET /v1/flows?since=&until=&cursor= is served by indexes: EXPLAIN of the real page SQL
 * (flowPageSql) on a real PostgreSQL, as verdict-indexes.int.test.ts does for the verdicts.
 *
 * 300,000 flow rows over three days (ids rising with time, as ingest writes them), ANALYZEd;
 * sequential scans stay enabled, so an index in the plan is the planner's own choice. Every node
 * reading a flows partition that holds rows must be an index scan, and a page must come out of
 * the id index in order (no Sort: a sort would read the whole filtered range to return one page).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeScan, INDEX_SCAN, plan, planNodes, scansOf } from '../testing/explain.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { flowPageSql } from './flow-reads.js';
import { createPgClient } from './pg-client.js';
import type { SqlClient } from './sql-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';
import type { FlowPageQuery, Store } from './types.js';

const T0 = new Date('2026-03-03T12:00:00.000Z');
const ROWS = 300_000;
const HOUR_MS = 3_600_000;

describe('indexes behind GET /v1/flows (EXPLAIN)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let store: Store;
  let midId = 0;
  let filled = new Set<string>();

  beforeAll(async () => {
    db = await createTestDatabase(inject('databaseUrl'), 'explain_flows');
    client = createPgClient({ connectionString: db.url });
    store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION, T0);
    // One row every 0.864 s from three days before T0; distinct source pods keep every row its own key.
    await client.query(
      `INSERT INTO flows (bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, dst_ip, dst_port,
         dst_kind, dst_namespace, dst_pod, protocol, direction, state, node, count, pending)
       SELECT date_trunc('minute', t), t, t, '10.0.0.1', 40000, 'pod', 'ns' || (i % 50), 'pod-' || i, '10.0.0.2', 8080,
         'pod', 'dst', 'pod-' || (i % 700), 'TCP', CASE WHEN i % 2 = 0 THEN 'Ingress' ELSE 'Egress' END, 'established', 'n1', 1, 0
       FROM (SELECT i, $1::timestamptz - interval '3 days' + (i * interval '864 milliseconds') AS t FROM generate_series(1, $2::int) AS i) s`,
      [T0, ROWS],
    );
    await client.query('ANALYZE flows');
    const mid = await client.query<{ id: string }>('SELECT id FROM flows ORDER BY id LIMIT 1 OFFSET $1', [ROWS / 2]);
    midId = Number(mid.rows[0]!.id);
    const parts = await client.query<{ p: string }>('SELECT DISTINCT tableoid::regclass::text AS p FROM flows');
    filled = new Set(parts.rows.map((x) => x.p));
    expect(filled.size).toBe(4); // three days back from noon touch four calendar days
  }, 300_000);

  afterAll(async () => {
    await store.close();
    await client.close();
    await db.drop();
  });

  const at = (hoursBeforeT0: number): Date => new Date(T0.getTime() - hoursBeforeT0 * HOUR_MS);

  it.each<{ title: string; q: Omit<FlowPageQuery, 'limit'> }>([
    { title: 'no filter', q: {} },
    { title: 'cursor', q: { afterId: -1 } },
    { title: 'since', q: { since: at(30) } },
    { title: 'until', q: { until: at(30) } },
    { title: 'since + until', q: { since: at(30), until: at(20) } },
    { title: 'since + cursor (a replay paging on)', q: { since: at(30), afterId: -1 } },
    { title: 'since + until + cursor', q: { since: at(60), until: at(20), afterId: -1 } },
    { title: 'since + until across days + cursor', q: { since: at(70), until: at(2), afterId: -1 } },
  ])('GET /v1/flows with $title reads its page from an index, in order', async ({ q }) => {
    const query: FlowPageQuery = { ...q, ...(q.afterId === -1 ? { afterId: midId } : {}), limit: 1000 };
    const { text, params } = flowPageSql(query);
    const p = await plan(client, text, params);
    const scans = scansOf(p, 'flows').filter((n) => filled.has(n['Relation Name']!));
    expect(scans.length).toBeGreaterThan(0);
    for (const n of scans) expect(describeScan(n)).toMatch(INDEX_SCAN);
    expect(planNodes(p).map((n) => n['Node Type'])).not.toContain('Sort');
  });

  it('pages through a window with the cursor: every row once, in id order', async () => {
    const since = at(1);
    const want = await client.query<{ n: string }>('SELECT count(*) AS n FROM flows WHERE bucket >= $1', [new Date(Math.floor(since.getTime() / 60_000) * 60_000)]);
    const seen: number[] = [];
    for (let cursor: number | undefined, pages = 0; pages < 100; pages++) {
      const page = await store.listFlows({ since, afterId: cursor, limit: 1000 });
      seen.push(...page.flows.map((f) => f.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen.length).toBe(Number(want.rows[0]!.n));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
