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

  it('keeps semicolons out of string literals, so splitting on them is safe', () => {
    for (const m of MIGRATIONS) for (const stmt of splitStatements(m.sql)) expect(stmt).not.toMatch(/'[^']*;[^']*'/);
  });

  it('has strictly increasing versions', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });
});
