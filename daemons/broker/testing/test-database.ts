/**
 * Gives each integration test file its own PostgreSQL database on the server started by
 * test/setup/postgres.ts, so files never see each other's rows. The database is created with a
 * unique name and dropped (WITH FORCE) when the test file is done.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database named `kg_<prefix>_<random>` next to `serverUrl`'s. */
export async function createTestDatabase(serverUrl: string, prefix = 'test'): Promise<TestDatabase> {
  const name = `kg_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // Identifiers cannot be parameters; the name is built only from [a-z0-9_] above.
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop(): Promise<void> {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
