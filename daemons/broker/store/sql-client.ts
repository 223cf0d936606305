/**
 * The little the store needs from a PostgreSQL driver: parameterised queries and transactions.
 * Two adapters implement it (pg-client.ts over a `pg` pool, pglite-client.ts over embedded
 * PGlite), so the store's SQL is written once and the shared contract suite proves both behave
 * alike.
 */

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface SqlClient extends Queryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Which engine this is, for the few places where they differ (EXPLAIN tests, metrics). */
  readonly engine: 'postgres' | 'pglite';
  poolStats(): PoolStats;
  close(): Promise<void>;
}
