/** Migrations: applied once, recorded, and split into statements safely. */
import { describe, expect, it } from 'vitest';
import { createPgliteClient } from './pglite-client.js';
import { migrate, MIGRATIONS, splitStatements } from './migrations.js';

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

  it('keeps semicolons out of string literals, so splitting on them is safe', () => {
    for (const m of MIGRATIONS) for (const stmt of splitStatements(m.sql)) expect(stmt).not.toMatch(/'[^']*;[^']*'/);
  });

  it('has strictly increasing versions', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });
});
