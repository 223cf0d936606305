/**
 * Broker query benchmark: GET /audit/verdicts over HTTP against 10,000,000 stored verdicts (seven
 * daily partitions, 2,000 policies in 100 namespaces plus cluster-scoped ones, WouldDeny 5%),
 * median and p99 latency per filter, measured by a client in this process against the broker
 * process. Data is bulk-loaded with the indexes dropped and then rebuilt exactly as the
 * migration defines them.
 *
 * Env: ROWS (default 10,000,000), QUERIES per filter (default 200).
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { createPgClient } from '../daemons/broker/store/pg-client.js';
import { MIGRATIONS, splitStatements } from '../daemons/broker/store/migrations.js';
import { DEFAULT_RETENTION, openSqlStore } from '../daemons/broker/store/sql-store.js';
import { createDatabase, startBroker, startPostgres } from '../daemons/broker/testing/broker-process.js';
import { machineLine, recordSection } from './lib/record.js';

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const QUERIES = Number(process.env.QUERIES ?? 200);
const SPAN_MS = 7 * 86_400_000;

async function load(url: string, now: Date): Promise<number> {
  const store = await openSqlStore(createPgClient({ connectionString: url }), DEFAULT_RETENTION, now);
  await store.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const started = performance.now();
  const indexes = MIGRATIONS.flatMap((m) => splitStatements(m.sql)).filter((s) => /^CREATE INDEX \w+ ON audit_verdicts/.test(s));
  for (const s of indexes) await c.query(`DROP INDEX ${/^CREATE INDEX (\w+)/.exec(s)?.[1] ?? ''}`);
  const step = SPAN_MS / ROWS;
  for (let from = 0; from < ROWS; from += 1_000_000) {
    await c.query(
      `INSERT INTO audit_verdicts (observed_at, evaluated_at, flow_id, policy_uid, policy_kind, policy_namespace, policy_name,
         policy_generation, direction, verdict, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, reason, count)
       SELECT $1::timestamptz - (i * $2::float8 * interval '1 millisecond'), $1, i, 'uid-' || (i % 2000),
         CASE WHEN (i / 2000) % 10 = 0 THEN 'AuditClusterNetworkPolicy' ELSE 'AuditNetworkPolicy' END,
         CASE WHEN (i / 2000) % 10 = 0 THEN '' ELSE 'ns' || ((i / 13) % 100) END, 'p' || (i % 2000), 1,
         CASE WHEN (i / 3) % 2 = 0 THEN 'Ingress' ELSE 'Egress' END, CASE WHEN (i / 7) % 20 = 0 THEN 'WouldDeny' ELSE 'Allow' END,
         'src-ns', 'src-' || (i % 5000), '10.1.0.1', 'dst-ns', 'dst-' || (i % 3000), '10.2.0.2', 8080, 'TCP',
         'AuditNetworkPolicy selects the destination, but the source is not allowed by any ingress rule', 1
       FROM generate_series($3::bigint, $4::bigint) AS i`,
      [now, step, from, Math.min(from + 1_000_000, ROWS) - 1],
    );
  }
  await c.query('SET maintenance_work_mem = \'512MB\'');
  for (const s of indexes) await c.query(s);
  await c.query('ANALYZE audit_verdicts');
  await c.end();
  return (performance.now() - started) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const pgs = startPostgres();
  try {
    const now = new Date();
    const url = await createDatabase(pgs.url, 'bench_query');
    const loadSecs = await load(url, now);
    console.log(`loaded ${ROWS} verdicts in ${loadSecs.toFixed(0)} s`);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const pairs = (await c.query<{ n: string; ns: string }>(
      "SELECT policy_name AS n, policy_namespace AS ns FROM audit_verdicts TABLESAMPLE SYSTEM (0.1) WHERE policy_namespace <> '' LIMIT 500",
    )).rows;
    await c.end();
    const broker = await startBroker({ DATABASE_URL: url });
    const pick = <T>(xs: T[], i: number): T => xs[i % xs.length]!;
    const hour = (i: number): string => new Date(now.getTime() - ((i * 7919) % 160) * 3_600_000).toISOString();
    const filters: { title: string; query: (i: number) => string }[] = [
      { title: 'no filter', query: () => '' },
      { title: 'policy', query: (i) => `policy=${pick(pairs, i).n}` },
      { title: 'namespace', query: (i) => `namespace=${pick(pairs, i).ns}` },
      { title: 'namespace= (cluster-scoped)', query: () => 'namespace=' },
      { title: 'policy + namespace', query: (i) => `policy=${pick(pairs, i).n}&namespace=${pick(pairs, i).ns}` },
      { title: 'policy + namespace + verdict=WouldDeny', query: (i) => `policy=${pick(pairs, i).n}&namespace=${pick(pairs, i).ns}&verdict=WouldDeny` },
      { title: 'verdict=WouldDeny', query: () => 'verdict=WouldDeny' },
      { title: 'direction=Ingress', query: () => 'direction=Ingress' },
      { title: 'since + until (one hour)', query: (i) => `since=${hour(i)}&until=${new Date(Date.parse(hour(i)) + 3_600_000).toISOString()}` },
      { title: 'policy + namespace + since=24h', query: (i) => `policy=${pick(pairs, i).n}&namespace=${pick(pairs, i).ns}&since=24h` },
      { title: 'namespace, limit=1000', query: (i) => `namespace=${pick(pairs, i).ns}&limit=1000` },
    ];
    const rows: string[] = [];
    for (const f of filters) {
      const times: number[] = [];
      let next: number | null = null;
      for (let i = 0; i < QUERIES + 10; i++) {
        const q = f.query(i);
        const started = performance.now();
        const r = await fetch(`${broker.url}/audit/verdicts?${q}`);
        const body = (await r.json()) as { verdicts?: unknown[]; nextBeforeId?: number | null };
        const ms = performance.now() - started;
        if (r.status !== 200 || !body.verdicts) throw new Error(`${q}: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
        if (i >= 10) times.push(ms); // the first few warm the connection and caches
        next = body.nextBeforeId ?? null;
      }
      // One more: the next page of the last query, through the before_id cursor.
      if (next !== null) {
        const started = performance.now();
        await (await fetch(`${broker.url}/audit/verdicts?${f.query(QUERIES + 9)}&before_id=${next}`)).json();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const line = `| ${f.title} | ${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 99).toFixed(1)} ms |`;
      console.log(line);
      rows.push(line);
    }
    await broker.kill();
    const version = execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim().split(' ')[2] ?? '';
    recordSection(
      'broker-query',
      `## Broker queries (\`bench/broker-query.bench.ts\`)

Machine: ${machineLine()}; PostgreSQL ${version} (throwaway cluster), broker as its own process; both cores shared with other work.
Data: ${ROWS.toLocaleString('en')} verdicts over 7 daily partitions (loaded and indexed in ${loadSecs.toFixed(0)} s), 2,000 policies, 100 namespaces + cluster-scoped, WouldDeny 5%.
Each filter: ${QUERIES} sequential \`GET /audit/verdicts\` over HTTP (default limit 100 unless stated; parameters vary per query), latency seen by the client, then one next page through \`before_id\`. Targets: median < 5 ms, p99 < 20 ms.

| filter | median | p99 |
|---|---|---|
${rows.join('\n')}`,
    );
  } finally {
    pgs.stop();
  }
}

await main();
