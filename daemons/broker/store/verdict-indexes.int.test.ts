/**
 * Proves that every filter of GET /audit/verdicts (and the stream, the cursor lookup and the
 * summary) is served by an index, with EXPLAIN on a real PostgreSQL (flow-indexes.int.test.ts does
 * the same for GET /v1/flows).
 *
 * How: 300,000 verdicts spread over three daily partitions, with realistic skew (500 policies,
 * 50 namespaces, WouldDeny rare), then ANALYZE. With that many rows the planner picks an index on
 * its own merits: sequential scans stay *enabled*, so a plan without "Seq Scan" means the index
 * is genuinely cheaper, not forced. Empty partitions (days ahead of or behind the data) are
 * exempt: scanning zero pages is the right plan for them. Each query's plan is walked and every node touching an
 * audit_verdicts partition must be an index scan.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeScan, INDEX_SCAN, plan as explain, planNodes as nodes, scansOf, type PlanNode } from '../testing/explain.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { createPgClient } from './pg-client.js';
import type { SqlClient } from './sql-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';
import type { Store, VerdictPageQuery } from './types.js';
import { filterConditions, summarySql, verdictPageSql } from './verdict-reads.js';

const T0 = new Date('2026-03-03T12:00:00.000Z');
const ROWS = 300_000;

describe('indexes behind every verdict filter (EXPLAIN)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let store: Store;
  let someId = 0;
  /** Partitions holding rows; empty ones (days without data) are seq-scanned at zero cost, rightly. */
  let filled = new Set<string>();

  beforeAll(async () => {
    db = await createTestDatabase(inject('databaseUrl'), 'explain');
    client = createPgClient({ connectionString: db.url });
    store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION, T0);
    // Three days back from T0, one row every ~0.86 s; policies, namespaces and verdicts skewed.
    await client.query(
      `INSERT INTO audit_verdicts (observed_at, evaluated_at, flow_id, policy_uid, policy_kind, policy_namespace, policy_name,
         policy_generation, direction, verdict, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, reason, count, state)
       SELECT $1::timestamptz - (i * interval '864 milliseconds'), $1, i, 'uid-' || (i % 500), 'AuditNetworkPolicy',
         CASE WHEN i % 10 = 0 THEN '' ELSE 'ns' || (i % 50) END, 'p' || (i % 500), 1 + (i % 3),
         CASE WHEN i % 2 = 0 THEN 'Ingress' ELSE 'Egress' END, CASE WHEN i % 20 = 0 THEN 'WouldDeny' ELSE 'Allow' END,
         'src', 'pod-' || (i % 1000), '10.0.0.1', 'dst', 'pod-' || (i % 700), '10.0.0.2', 8080, 'TCP', 'r', 1,
         CASE WHEN i % 30 = 0 THEN 'refused' WHEN i % 30 = 1 THEN 'attempt' ELSE 'established' END
       FROM generate_series(1, $2::int) AS i`,
      [T0, ROWS],
    );
    await client.query('ANALYZE audit_verdicts');
    const r = await client.query<{ id: string }>("SELECT id FROM audit_verdicts WHERE policy_name = 'p7' ORDER BY id LIMIT 1 OFFSET 100");
    someId = Number(r.rows[0]!.id);
    const parts = await client.query<{ p: string }>('SELECT DISTINCT tableoid::regclass::text AS p FROM audit_verdicts');
    filled = new Set(parts.rows.map((x) => x.p));
    expect(filled.size).toBe(4); // three days back from noon touch four calendar days
  }, 300_000);

  afterAll(async () => {
    await store.close();
    await client.close();
    await db.drop();
  });

  const plan = (text: string, params: unknown[]): Promise<PlanNode> => explain(client, text, params);

  function expectIndexOnly(p: PlanNode): void {
    const scans = scansOf(p, 'audit_verdicts').filter((n) => filled.has(n['Relation Name']!));
    expect(scans.length).toBeGreaterThan(0);
    for (const n of scans) expect(describeScan(n)).toMatch(INDEX_SCAN);
  }

  const since = new Date(T0.getTime() - 30 * 3_600_000);
  const until = new Date(T0.getTime() - 20 * 3_600_000);
  // `ordered`: broad filters, whose newest rows must come straight from an index in order (a sort
  // would read the filter's whole result). Narrow ones may be fetched and sorted: a few hundred rows.
  it.each<{ title: string; q: VerdictPageQuery; ordered: boolean }>([
    { title: 'no filter', q: { limit: 100 }, ordered: true },
    { title: 'policy', q: { policy: 'p7', limit: 100 }, ordered: false },
    { title: 'namespace', q: { namespace: 'ns3', limit: 100 }, ordered: true },
    { title: "namespace='' (cluster-scoped)", q: { namespace: '', limit: 100 }, ordered: true },
    { title: 'policy + namespace', q: { policy: 'p7', namespace: 'ns7', limit: 100 }, ordered: false },
    { title: 'policy + namespace + verdict', q: { policy: 'p7', namespace: 'ns7', verdict: 'WouldDeny', limit: 100 }, ordered: false },
    { title: 'verdict', q: { verdict: 'WouldDeny', limit: 100 }, ordered: true },
    { title: 'direction', q: { direction: 'Ingress', limit: 100 }, ordered: true },
    { title: 'state', q: { state: 'refused', limit: 100 }, ordered: true },
    { title: 'policy + state', q: { policy: 'p7', state: 'attempt', limit: 100 }, ordered: false },
    { title: 'since + until', q: { since, until, limit: 1000 }, ordered: true },
    { title: 'policy + since + until', q: { policy: 'p7', since, until, limit: 100 }, ordered: false },
    { title: 'namespace + direction + verdict', q: { namespace: 'ns3', direction: 'Egress', verdict: 'WouldDeny', limit: 100 }, ordered: false },
  ])('GET /audit/verdicts with $title uses an index', async ({ q, ordered }) => {
    const { text, params } = verdictPageSql(q, undefined);
    const p = await plan(text, params);
    expectIndexOnly(p);
    if (ordered) expect(nodes(p).map((n) => n['Node Type'])).not.toContain('Sort');
  });

  it('the before_id cursor: its lookup and the next page use indexes', async () => {
    expectIndexOnly(await plan('SELECT observed_at::text AS t FROM audit_verdicts WHERE id = $1 LIMIT 1', [someId]));
    const t = await client.query<{ t: string }>('SELECT observed_at::text AS t FROM audit_verdicts WHERE id = $1', [someId]);
    const { text, params } = verdictPageSql({ policy: 'p7', limit: 100, beforeId: someId }, t.rows[0]!.t);
    expectIndexOnly(await plan(text, params));
  });

  it('the stream (id > N with filters) and the summary use indexes', async () => {
    const params: unknown[] = [];
    const conds = filterConditions({ policy: 'p7', namespace: 'ns7' }, params);
    params.push(someId, 500);
    expectIndexOnly(await plan(`SELECT id FROM audit_verdicts WHERE ${conds.join(' AND ')} AND id > $3 ORDER BY id LIMIT $4`, params));
    expectIndexOnly(await plan('SELECT id FROM audit_verdicts WHERE id > $1 ORDER BY id LIMIT 500', [ROWS - 10]));
    const sp: unknown[] = [];
    const sc = filterConditions({ policy: 'p7', namespace: 'ns7', since: new Date(T0.getTime() - 3_600_000), until: T0 }, sp);
    expectIndexOnly(await plan(`SELECT verdict, sum(count) FROM audit_verdicts WHERE ${sc.join(' AND ')} GROUP BY verdict`, sp));
  });

  it.each([
    { title: 'uid + generation + window (the status writer)', f: { uid: 'uid-7', generation: 2, since: new Date(T0.getTime() - 3_600_000), until: T0 } },
    { title: 'uid + generation over the whole retention', f: { uid: 'uid-7', generation: 2 } },
    { title: 'uid alone', f: { uid: 'uid-7' } },
  ])('the summary by $title uses indexes for its totals and its offenders', async ({ f }) => {
    const sql = summarySql(f, 10);
    expectIndexOnly(await plan(sql.totals, sql.params));
    expectIndexOnly(await plan(sql.offenders, sql.offenderParams));
  });

  // The summary as GET /audit/summary asks it: always over a window (default 1h, at most the
  // retention), so "no filter" still bounds observed_at. A window as long as the retention with no
  // other filter sums every row, and reading them all is then the right plan, index or not.
  const window = { since: new Date(T0.getTime() - 3_600_000), until: T0 };
  it.each([
    { title: 'policy + namespace', f: { policy: 'p7', namespace: 'ns7', ...window } },
    { title: 'namespace alone', f: { namespace: 'ns3', ...window } },
    { title: "namespace='' (cluster-scoped) alone", f: { namespace: '', ...window } },
    { title: 'policy alone', f: { policy: 'p7', ...window } },
    { title: 'no filter (the window only)', f: window },
    { title: 'policy + namespace over a day', f: { policy: 'p7', namespace: 'ns7', since: new Date(T0.getTime() - 86_400_000), until: T0 } },
  ])('GET /audit/summary with $title uses indexes for its totals and its offenders', async ({ f }) => {
    const sql = summarySql(f, 10);
    expectIndexOnly(await plan(sql.totals, sql.params));
    expectIndexOnly(await plan(sql.offenders, sql.offenderParams));
  });

  // How fast these pages come is bench/broker-query.bench.ts's business (docs/BENCHMARKS.md), not
  // a timed assertion here: on a loaded machine any bound is either loose or flaky. What the test
  // keeps is that each filtered page on this data holds only matching rows and stops at the limit.
  it('answers filtered pages with only matching rows, at most the limit, on this data', async () => {
    let rows = 0;
    for (let i = 0; i < 50; i += 7) {
      const page = await store.listVerdicts({ policy: `p${i}`, namespace: `ns${i % 50}`, limit: 100 });
      expect(page.verdicts.length).toBeLessThanOrEqual(100);
      for (const v of page.verdicts) expect([v.policy.name, v.policy.namespace]).toEqual([`p${i}`, `ns${i % 50}`]);
      rows += page.verdicts.length;
    }
    expect(rows).toBeGreaterThan(0);
  });
});
