/**
 * Picks the engine: PostgreSQL when a DATABASE_URL is given, else embedded PGlite in a local
 * folder (the demo needs no database server).
 */
import { createPgClient } from './pg-client.js';
import { createPgliteClient } from './pglite-client.js';
import { openSqlStore } from './sql-store.js';
import type { RetentionConfig, Store } from './types.js';

export interface StoreConfig {
  databaseUrl?: string;
  /** PGlite's folder when there is no databaseUrl; in memory when this is undefined too. */
  dataDir?: string;
  poolSize?: number;
  ingestWriters?: number;
  replayBucketMs?: number;
  retention: RetentionConfig;
  onIdleError?: (err: Error) => void;
}

export async function openStore(cfg: StoreConfig, now = new Date()): Promise<Store> {
  const client = cfg.databaseUrl
    ? createPgClient({ connectionString: cfg.databaseUrl, max: cfg.poolSize, onIdleError: cfg.onIdleError })
    : await createPgliteClient(cfg.dataDir);
  try {
    return await openSqlStore(client, cfg.retention, now, { ingestWriters: cfg.ingestWriters, replayBucketMs: cfg.replayBucketMs });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}
