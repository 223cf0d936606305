/** Two replicas starting at once on a real PostgreSQL apply the migrations exactly once. */
import { afterAll, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { createPgClient } from './pg-client.js';
import { MIGRATIONS } from './migrations.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';

let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

it('lets four stores open the same empty database concurrently', async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'migrate');
  const url = db.url;
  const stores = await Promise.all([1, 2, 3, 4].map(() => openSqlStore(createPgClient({ connectionString: url }), DEFAULT_RETENTION)));
  try {
    const r = await stores[0]!.listFlows({ limit: 1 });
    expect(r.flows).toEqual([]);
    const c = createPgClient({ connectionString: url });
    const versions = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
    const parts = await c.query<{ n: string }>("SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'flows_p%'");
    await c.close();
    expect(versions.rows.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(Number(parts.rows[0]!.n)).toBeGreaterThan(5);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});
