/**
 * The ReplayStore over a SqlClient: job rows (replays.ts) and page reads and writes
 * (replay-pages.ts, replay-tally.ts). A page write and the job's progress (cursor, flows to revisit, counters,
 * lease) commit together, so a worker that dies between pages resumes exactly where the last
 * commit left off and never stores a page twice.
 */
import type { PartitionManager } from './partitions.js';
import { nextSlot, readRows, readSlot, REPLAY_BUCKET_MS, writePage } from './replay-pages.js';
import type { PageWrite, PageWritten, ReplayLease, ReplayStore } from './replay-types.js';
import { claimReplay, countWindow, createReplay, finishReplay, getReplay, noteReplayError, releaseReplay, renewReplay, updateHeld } from './replays.js';
import type { SqlClient } from './sql-client.js';

const DAY_MS = 86_400_000;

/** The retry list after a write: a retry's ids are done unless revisited again. */
function nextRetry(lease: ReplayLease, w: PageWrite, revisit: number[]): number[] {
  const done = new Set(w.scope.kind === 'ids' ? w.scope.ids : []);
  const out = new Set(lease.retry.filter((id) => !done.has(id)));
  for (const id of revisit) out.add(id);
  return [...out].sort((a, b) => a - b);
}

export function sqlReplayStore(
  client: SqlClient,
  partitions: PartitionManager,
  flowsDays: number,
  retrying: <T>(fn: () => Promise<T>) => Promise<T>,
  bucketMs: number = REPLAY_BUCKET_MS,
): ReplayStore {
  return {
    create: (req, now) => retrying(() => createReplay(client, req, now)),
    get: (id) => getReplay(client, id),
    claim: (now, leaseMs) => retrying(() => claimReplay(client, now, leaseMs)),
    renew: (lease, now, leaseMs) => renewReplay(client, lease, now, leaseMs),
    countWindow: (lease) => countWindow(client, lease),
    nextSlot: (job, cursor) => nextSlot(client, job, cursor, bucketMs),
    readSlot: (job, slot, o) => client.transaction((tx) => readSlot(tx, job, slot, o, bucketMs)),
    readRows: (job, ids, o) => client.transaction((tx) => readRows(tx, job, ids, o, bucketMs)),
    async writePage(lease: ReplayLease, w: PageWrite, now: Date, leaseMs: number): Promise<PageWritten> {
      // Verdicts are filed under their flow's last_seen day: any day of the window (no older than
      // the flows kept) up to now.
      await partitions.ensureRange(Math.max(Date.parse(lease.job.since), now.getTime() - flowsDays * DAY_MS), now.getTime() + DAY_MS);
      const { out, retry } = await retrying(() =>
        client.transaction(async (tx) => {
          const written = await writePage(tx, lease.job, w, now);
          const next = nextRetry(lease, w, written.revisit);
          await updateHeld(
            tx,
            lease,
            'scan_cursor = $1, retry_ids = $2, flows_scanned = flows_scanned + $3, verdicts = verdicts + $4, lease_until = $5',
            [w.cursor, next, w.scanned, written.inserted, new Date(now.getTime() + leaseMs)],
          );
          return { out: written, retry: next };
        }),
      );
      lease.cursor = w.cursor;
      lease.retry = retry;
      lease.job.flowsScanned += w.scanned;
      lease.job.verdicts += out.inserted;
      return out;
    },
    finish: (lease, state, now, error) => finishReplay(client, lease, state, now, error),
    noteError: (lease, error) => noteReplayError(client, lease, error),
    release: (lease) => releaseReplay(client, lease),
  };
}
