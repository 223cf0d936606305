/** Migrations: applied once, recorded, and split into statements safely. */
import { describe, expect, it } from 'vitest';
import { createPgliteClient } from './pglite-client.js';
import { migrate, MIGRATIONS, splitStatements } from './migrations.js';
import { batch, observation } from '../testing/fixtures.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';

describe('migrations', () => {
  it('applies every migration once and nothing on a second run', async () => {
    const client = await createPgliteClient();
    try {
      expect(await migrate(client)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(client)).toEqual([]);
      const r = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(r.rows.map((x) => x.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await client.close();
    }
  }, 120_000); // PGlite compiles its WebAssembly on start, slowly on a busy machine

  it('gives verdicts stored before the state column their flow\'s state, and the others unknown', async () => {
    const client = await createPgliteClient();
    try {
      await migrate(client, MIGRATIONS.filter((m) => m.version < 5));
      await client.query("CREATE TABLE flows_d PARTITION OF flows FOR VALUES FROM ('2026-03-01') TO ('2026-03-02')");
      await client.query("CREATE TABLE audit_verdicts_d PARTITION OF audit_verdicts FOR VALUES FROM ('2026-03-01') TO ('2026-03-02')");
      const t = '2026-03-01T10:00:00Z';
      await client.query(
        `INSERT INTO flows (id, bucket, first_seen, last_seen, src_ip, src_port, src_kind, dst_ip, dst_port, dst_kind, protocol, direction, state, node, count, pending)
         VALUES (41, $1, $1, $1, '10.0.0.1', 1, 'pod', '10.0.0.2', 80, 'pod', 'TCP', 'Egress', 'refused', 'n', 1, 0)`, [t]);
      for (const flowId of [41, 42, 0]) { // 42: its flow row is gone; 0: a replayed sum of several rows
        await client.query(
          `INSERT INTO audit_verdicts (observed_at, evaluated_at, flow_id, policy_kind, policy_namespace, policy_name, direction, verdict,
             src_ip, dst_ip, port, protocol, reason, count) VALUES ($1, $1, $2, 'AuditNetworkPolicy', 'p', 'n', 'Egress', 'Allow', '10.0.0.1', '10.0.0.2', 80, 'TCP', 'r', 1)`,
          [t, flowId]);
      }
      expect(await migrate(client)).toEqual(MIGRATIONS.filter((m) => m.version >= 5).map((m) => m.version));
      const r = await client.query<{ flow_id: string | number; state: string }>('SELECT flow_id, state FROM audit_verdicts ORDER BY flow_id');
      expect(r.rows.map((x) => [Number(x.flow_id), x.state])).toEqual([[0, ''], [41, 'refused'], [42, '']]);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('reports enforcement checks stored a row per judgement as before, and adds the flow row\'s later judgements once', async () => {
    const client = await createPgliteClient();
    try {
      await migrate(client, MIGRATIONS.filter((m) => m.version < 7));
      // The partitions the store would make for that day, so opening it below finds them.
      for (const table of ['flows', 'enforcement_checks']) {
        await client.query(`CREATE TABLE ${table}_p20260301 PARTITION OF ${table} FOR VALUES FROM ('2026-03-01') TO ('2026-03-02')`);
      }
      // observation()'s flow, 5 observations judged in two claims before this version: a check row each.
      const o = observation({ at: '2026-03-01T10:00:05.000Z' });
      await client.query(
        `INSERT INTO flows (id, bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, dst_ip, dst_port, dst_kind,
           dst_namespace, dst_pod, protocol, direction, state, node, count, pending)
         VALUES (41, '2026-03-01T10:00:00Z', $1, $1, $2, 1, 'pod', $3, $4, $5, $6, 'pod', $7, $8, 'TCP', 'Egress', 'established', 'node-a', 5, 0)`,
        [o.firstSeen, o.src.ip, o.src.namespace, o.src.pod, o.dst.ip, o.dst.port, o.dst.namespace, o.dst.pod]);
      for (const [observedAt, count] of [['2026-03-01T10:00:05Z', 2], ['2026-03-01T10:00:06Z', 3]] as const) {
        await client.query(
          `INSERT INTO enforcement_checks (observed_at, flow_id, policy_uid, policy_namespace, policy_name, policy_generation, direction, predicted,
             state, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, count)
           VALUES ($1, 41, 'u-1', 'prod', 'deny-all', 3, 'Egress', 'Deny', 'established', $2, $3, $4, $5, $6, $7, $8, 'TCP', $9)`,
          [observedAt, o.src.namespace, o.src.pod, o.src.ip, o.dst.namespace, o.dst.pod, o.dst.ip, o.dst.port, count]);
      }
      const store = await openSqlStore(client, DEFAULT_RETENTION, new Date('2026-03-01T10:30:00Z'));
      const window = { since: new Date('2026-03-01T10:00:00Z'), until: new Date('2026-03-01T11:00:00Z'), limit: 10 };
      const seen = async (): Promise<unknown[]> =>
        (await store.enforcementReport(window)).rows.map((r) => [r.policy.generation, r.predicted, r.observed.established, r.outcome, r.firstSeen, r.lastSeen]);
      expect(await seen()).toEqual([[3, 'Deny', 5, 'NotEnforced', '2026-03-01T10:00:05.000Z', '2026-03-01T10:00:06.000Z']]);
      // Four more observations of the same flow row, judged after the migration: counted from the fifth on.
      await store.ingest(batch([observation({ at: '2026-03-01T10:00:09.000Z', count: 4 })]), new Date('2026-03-01T10:30:00Z'));
      const claim = await store.claimPending(10, new Date('2026-03-01T10:30:00Z'), 60_000);
      expect(claim.flows.map((c) => [c.flow.id, c.pending])).toEqual([[41, 4]]);
      const enforcement = [{ policy: { uid: 'u-1', namespace: 'prod', name: 'deny-all', generation: 3 }, predicted: 'Deny' as const }];
      await store.completeClaim(claim, [{ flowId: 41, verdicts: [], enforcement }], new Date('2026-03-01T10:30:00Z'));
      expect(await seen()).toEqual([[3, 'Deny', 9, 'NotEnforced', '2026-03-01T10:00:05.000Z', '2026-03-01T10:00:09.000Z']]);
      const rows = await client.query<{ n: string | number }>('SELECT count(*) AS n FROM enforcement_checks');
      expect(Number(rows.rows[0]?.n)).toBe(3);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('moves a flow row\'s checks from flows.checked to a hash, read back from its check rows once', async () => {
    const client = await createPgliteClient();
    try {
      await migrate(client, MIGRATIONS.filter((m) => m.version < 8));
      for (const table of ['flows', 'enforcement_checks']) {
        await client.query(`CREATE TABLE ${table}_p20260301 PARTITION OF ${table} FOR VALUES FROM ('2026-03-01') TO ('2026-03-02')`);
      }
      // observation()'s flow, 5 observations judged before this version with one policy predicting Deny.
      const o = observation({ at: '2026-03-01T10:00:05.000Z' });
      await client.query(
        `INSERT INTO flows (id, bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, dst_ip, dst_port, dst_kind,
           dst_namespace, dst_pod, protocol, direction, state, node, count, pending, checked)
         VALUES (41, '2026-03-01T10:00:00Z', $1, $1, $2, 1, 'pod', $3, $4, $5, $6, 'pod', $7, $8, 'TCP', 'Egress', 'established', 'node-a', 5, 0, $9)`,
        [o.firstSeen, o.src.ip, o.src.namespace, o.src.pod, o.dst.ip, o.dst.port, o.dst.namespace, o.dst.pod, ['u-1', '3', 'Deny', 'prod', 'deny-all'].join('\u001f')]);
      await client.query(
        `INSERT INTO enforcement_checks (observed_at, flow_id, from_judged, policy_uid, policy_namespace, policy_name, policy_generation, direction, predicted,
           state, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, count)
         VALUES ('2026-03-01T10:00:00Z', 41, 0, 'u-1', 'prod', 'deny-all', 3, 'Egress', 'Deny', 'established', $1, $2, $3, $4, $5, $6, $7, 'TCP', 5)`,
        [o.src.namespace, o.src.pod, o.src.ip, o.dst.namespace, o.dst.pod, o.dst.ip, o.dst.port]);
      const now = new Date('2026-03-01T10:30:00Z');
      const store = await openSqlStore(client, DEFAULT_RETENTION, now);
      const columns = await client.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'flows' AND column_name IN ('checked', 'checks_hash')");
      expect(columns.rows.map((c) => c.column_name)).toEqual(['checks_hash']);
      const deny = [{ policy: { uid: 'u-1', namespace: 'prod', name: 'deny-all', generation: 3 }, predicted: 'Deny' as const }];
      const judge = async (count: number, enforcement: typeof deny | []): Promise<number> => {
        await store.ingest(batch([observation({ at: '2026-03-01T10:00:09.000Z', count })]), now);
        const claim = await store.claimPending(10, now, 60_000);
        await store.completeClaim(claim, claim.flows.map((c) => ({ flowId: c.flow.id, verdicts: [], enforcement })), now);
        return Number((await client.query<{ n: string | number }>('SELECT count(*) AS n FROM enforcement_checks')).rows[0]?.n);
      };
      // Its checks as before: nothing new. Then no longer decided: one row ending the range.
      expect(await judge(4, deny)).toBe(1);
      expect(await judge(2, [])).toBe(2);
      const report = await store.enforcementReport({ since: new Date('2026-03-01T10:00:00Z'), until: new Date('2026-03-01T11:00:00Z'), limit: 10 });
      expect(report.rows.map((r) => [r.predicted, r.observed.established])).toEqual([['Deny', 9]]);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('keeps semicolons out of string literals, so splitting on them is safe', () => {
    for (const m of MIGRATIONS) for (const stmt of splitStatements(m.sql)) expect(stmt).not.toMatch(/'[^']*;[^']*'/);
  });

  it('has strictly increasing versions', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });
});
