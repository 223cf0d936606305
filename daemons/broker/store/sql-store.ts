/**
 * The Store over any SqlClient: PostgreSQL through `pg`, or embedded PGlite. Holds the partition
 * manager and the stream's listeners; the SQL itself lives in flow-writes.ts, flow-reads.ts,
 * verdict-reads.ts and claims.ts. Every statement locks `flows` rows in one order (flow-key.ts);
 * a transaction that fails on a deadlock or serialisation conflict all the same is run again a
 * few times (conflict-retry.ts).
 */
import { listFlows } from './flow-reads.js';
import { aggregate } from './flow-writes.js';
import { IngestQueue } from './ingest-queue.js';
import { claimPending, completeClaim, releaseClaim } from './claims.js';
import { conflictRetry } from './conflict-retry.js';
import { migrate } from './migrations.js';
import { dayStart, PartitionManager, PARTITIONED_TABLES } from './partitions.js';
import { sqlReplayStore } from './replay-store.js';
import type { SqlClient } from './sql-client.js';
import type { Claim, FlowJudgement, IngestResult, RetentionConfig, Store, StoredCheckTally, StoredVerdictTally } from './types.js';
import { enforcementReport } from './enforcement-checks.js';
import { lastVerdictId, listVerdicts, summary, verdictsAfter } from './verdict-reads.js';
import type { FlowBatch } from '../../../contracts/flow-batch.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Days of partitions created ahead of the current one. */
const DAYS_AHEAD = 2;

export const DEFAULT_RETENTION: RetentionConfig = { flowsDays: 7, verdictsDays: 7, batchIdHours: 24 };

const retrying = conflictRetry();

/** Opens the store on a client: applies migrations and creates the current partitions. */
export interface SqlStoreOptions {
  /** Ingest transactions in flight at once (see ingest-queue.ts); default 2. */
  ingestWriters?: number;
  /** Replayed verdicts: one row per flow and bucket of this many ms (divides a day); default 10 minutes. */
  replayBucketMs?: number;
}

export async function openSqlStore(
  client: SqlClient,
  retention: RetentionConfig = DEFAULT_RETENTION,
  now = new Date(),
  opts: SqlStoreOptions = {},
): Promise<Store> {
  await migrate(client);
  const partitions = new PartitionManager(client);
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of listeners) l();
  };
  const maxDays = Math.max(retention.flowsDays, retention.verdictsDays);
  const ingestQueue = new IngestQueue(client, { retrying, writers: opts.ingestWriters ?? 2 });
  const store: Store = {
    engine: client.engine,
    async ingest(batch: FlowBatch, receivedAt: Date): Promise<IngestResult> {
      const rows = aggregate(batch.flows);
      await partitions.ensureDays(new Set(rows.map((r) => dayStart(r.bucket))));
      return ingestQueue.submit(batch, rows, receivedAt);
    },
    listVerdicts: (q) => listVerdicts(client, q),
    verdictsAfter: (afterId, f, limit, upToId) => verdictsAfter(client, afterId, f, limit, upToId),
    lastVerdictId: () => lastVerdictId(client),
    summary: (f, top) => summary(client, f, top),
    listFlows: (q) => listFlows(client, q),
    enforcementReport: (q) => enforcementReport(client, q),
    claimPending: (limit, at, leaseMs) => retrying(() => client.transaction((tx) => claimPending(tx, limit, at, leaseMs))),
    async completeClaim(
      claim: Claim,
      judgements: FlowJudgement[],
      at: Date,
      onStored?: (stored: readonly StoredVerdictTally[], checks: readonly StoredCheckTally[]) => void,
    ): Promise<number> {
      // Verdicts are filed under the flow's last_seen day, which may not have a partition yet;
      // enforcement checks under its bucket's, whose partition retention may have dropped already.
      await partitions.ensureDays(claim.flows.flatMap((c) => [dayStart(Date.parse(c.flow.lastSeen)), dayStart(Date.parse(c.flow.bucket))]));
      // What the attempt that committed wrote: a retried transaction starts over.
      const { stored, checked } = await retrying(() => client.transaction((tx) => completeClaim(tx, claim, judgements, at)));
      if (stored.length > 0) notify();
      if (stored.length > 0 || checked.length > 0) onStored?.(stored, checked);
      return stored.length;
    },
    releaseClaim: (claim) => retrying(() => client.transaction((tx) => releaseClaim(tx, claim))),
    replays: sqlReplayStore(client, partitions, retention.flowsDays, retrying, opts.replayBucketMs),
    ensurePartitions: (at) => partitions.ensureRange(at.getTime() - maxDays * DAY_MS, at.getTime() + DAYS_AHEAD * DAY_MS),
    async applyRetention(at: Date): Promise<string[]> {
      const dropped: string[] = [];
      for (const table of PARTITIONED_TABLES) {
        const days = table === 'flows' ? retention.flowsDays : retention.verdictsDays;
        dropped.push(...(await partitions.dropBefore(table, at.getTime() - days * DAY_MS)));
      }
      await client.query('DELETE FROM ingested_batches WHERE received_at < $1', [new Date(at.getTime() - retention.batchIdHours * HOUR_MS)]);
      // A finished replay is kept as long as verdicts are, then forgotten. Asked again later for
      // the same generation, it would run again, which the evaluator does not do once a policy's
      // status is reconciled. Running jobs stay whatever their age: their worker still owes them.
      await client.query("DELETE FROM replay_jobs WHERE state <> 'Running' AND finished_at < $1", [new Date(at.getTime() - retention.verdictsDays * DAY_MS)]);
      return dropped;
    },
    async ping(): Promise<void> {
      await client.query('SELECT 1');
    },
    onVerdicts(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    poolStats: () => client.poolStats(),
    close: () => client.close(),
  };
  await store.ensurePartitions(now);
  return store;
}
