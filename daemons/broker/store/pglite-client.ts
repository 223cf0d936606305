/**
 * SqlClient over embedded PGlite (PostgreSQL compiled to WebAssembly, one connection, in this
 * process), for the demo without a database server. PGlite queues concurrent calls itself, so
 * transactions never interleave; the price is that everything is serialised.
 */
import { PGlite } from '@electric-sql/pglite';
import type { PoolStats, Queryable, QueryResult, SqlClient } from './sql-client.js';

interface PGliteLike {
  query: PGlite['query'];
}

async function run<R>(db: PGliteLike, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  const r = await db.query<R>(text, params);
  return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
}

/** Opens (creating if needed) a PGlite database in `dataDir`, or in memory when it is undefined. */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  const db = await PGlite.create(dataDir);
  return {
    engine: 'pglite',
    query: <R>(text: string, params?: unknown[]) => run<R>(db, text, params),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
      db.transaction((tx) => fn({ query: <R>(text: string, params?: unknown[]) => run<R>(tx, text, params) })),
    poolStats(): PoolStats {
      return { total: 1, idle: 1, waiting: 0 };
    },
    close: () => db.close(),
  };
}
