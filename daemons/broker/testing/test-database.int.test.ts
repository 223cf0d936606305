/** The test PostgreSQL server is up and each file gets a database of its own. */
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './test-database.js';

describe('test PostgreSQL', () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it('creates separate, writable databases on a PostgreSQL 15+ server', async () => {
    const a = await createTestDatabase(inject('databaseUrl'), 'smoke');
    const b = await createTestDatabase(inject('databaseUrl'), 'smoke');
    dbs.push(a, b);
    expect(a.name).not.toBe(b.name);
    const c = new pg.Client({ connectionString: a.url });
    await c.connect();
    try {
      await c.query('CREATE TABLE t (x int)');
      const v = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      expect(Number(v.rows[0]!.v)).toBeGreaterThanOrEqual(150000);
    } finally {
      await c.end();
    }
    const d = new pg.Client({ connectionString: b.url });
    await d.connect();
    try {
      const r = await d.query("SELECT to_regclass('public.t') AS t");
      expect(r.rows[0]).toEqual({ t: null });
    } finally {
      await d.end();
    }
  });
});
