/**
 * SqlClient over a `pg` connection pool. A pool emits 'error' when an idle connection dies (the
 * server restarted), and a checked-out client emits it on itself: both must be handled or Node
 * exits. The pool replaces dead connections by itself, so they are only logged. Queries that fail because the server is away surface as errors
 * the app maps to 503 (see database-errors.ts).
 */
import pg from 'pg';
import type { PoolStats, Queryable, QueryResult, SqlClient } from './sql-client.js';

export interface PgClientOptions {
  connectionString: string;
  max?: number;
  /** How long a query may wait for a connection before failing (and the request gets a 503). */
  connectionTimeoutMillis?: number;
  onIdleError?: (err: Error) => void;
}

async function run<R>(q: pg.Pool | pg.PoolClient, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  const r = await q.query(text, params);
  return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
}

export function createPgClient(opts: PgClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
    // No JIT: the broker's statements are short (paged index scans, batch upserts over unnest(),
    // whose row counts the planner cannot see), and compiling them cost more than it saved: the
    // all-distinct ingest ran about 10% faster without it (bench/broker-ingest, back to back).
    options: '-c jit=off',
  });
  pool.on('error', (err) => opts.onIdleError?.(err));
  return {
    engine: 'postgres',
    query: <R>(text: string, params?: unknown[]) => run<R>(pool, text, params),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      let broken = false;
      // A checked-out client has no error listener (the pool only watches idle ones): if the server
      // goes away between two statements of the transaction, its 'error' event would kill the
      // process. Note it instead; the statement in progress or the next one fails, and we destroy it.
      const onError = (err: Error): void => {
        broken = true;
        opts.onIdleError?.(err);
      };
      conn.on('error', onError);
      try {
        await conn.query('BEGIN');
        const out = await fn({ query: <R>(text: string, params?: unknown[]) => run<R>(conn, text, params) });
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
        conn.removeListener('error', onError);
        conn.release(broken);
      }
    },
    poolStats(): PoolStats {
      return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    close: () => pool.end(),
  };
}
