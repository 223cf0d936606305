/**
 * Daily partitions of `flows` (by bucket) and `audit_verdicts` (by observed_at). Partitions are
 * created ahead of time (by the maintenance loop) and on demand (before a write to a day not yet
 * known), always under an advisory lock so two replicas never race on the same CREATE. Retention
 * drops whole partitions whose day ended before the cut-off: no DELETE, no bloat.
 *
 * A partition's name encodes its day (`flows_p20260102`), so retention needs no catalogue parsing.
 */
import { LOCK_KEYS } from './migrations.js';
import type { Queryable, SqlClient } from './sql-client.js';

export type PartitionedTable = 'flows' | 'audit_verdicts' | 'enforcement_checks';
/** enforcement_checks is kept as long as audit_verdicts (VERDICT_RETENTION_DAYS). */
export const PARTITIONED_TABLES: readonly PartitionedTable[] = ['flows', 'audit_verdicts', 'enforcement_checks'];

const DAY_MS = 86_400_000;

/** Midnight UTC of the day containing `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function partitionName(table: PartitionedTable, day: number): string {
  return `${table}_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The day a partition name stands for, or undefined for a name we did not make. */
export function partitionDay(table: PartitionedTable, name: string): number | undefined {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/** Remembers which days exist so the hot path asks the database only about new days. */
export class PartitionManager {
  private readonly known = new Set<string>();

  constructor(private readonly client: SqlClient) {}

  /** Makes sure every table has a partition for each day touching [fromMs, toMs]. */
  async ensureRange(fromMs: number, toMs: number): Promise<void> {
    const days: number[] = [];
    for (let d = dayStart(fromMs); d <= toMs; d += DAY_MS) days.push(d);
    await this.ensureDays(days);
  }

  /** Makes sure the given days (midnights UTC) have partitions in every table. */
  async ensureDays(days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((d) => PARTITIONED_TABLES.some((t) => !this.known.has(partitionName(t, d))));
    if (missing.length === 0) return;
    await this.client.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.partitions]);
      for (const day of missing) for (const table of PARTITIONED_TABLES) await createPartition(tx, table, day);
    });
    for (const day of missing) for (const t of PARTITIONED_TABLES) this.known.add(partitionName(t, day));
  }

  /** Drops the partitions of `table` whose whole day is older than `cutoffMs`; returns their names. */
  async dropBefore(table: PartitionedTable, cutoffMs: number): Promise<string[]> {
    return this.client.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.partitions]);
      const names = await listPartitions(tx, table);
      const doomed = names.filter((n) => {
        const day = partitionDay(table, n);
        return day !== undefined && day + DAY_MS <= cutoffMs;
      });
      // Names come from the catalogue and match our own pattern; identifiers cannot be parameters.
      for (const n of doomed) {
        await tx.query(`DROP TABLE IF EXISTS ${n}`);
        this.known.delete(n);
      }
      return doomed;
    });
  }
}

async function createPartition(tx: Queryable, table: PartitionedTable, day: number): Promise<void> {
  const from = new Date(day).toISOString();
  const to = new Date(day + DAY_MS).toISOString();
  // Bounds are literals because DDL takes no parameters; both come from Date.toISOString().
  await tx.query(`CREATE TABLE IF NOT EXISTS ${partitionName(table, day)} PARTITION OF ${table} FOR VALUES FROM ('${from}') TO ('${to}')`);
}

export async function listPartitions(q: Queryable, table: PartitionedTable): Promise<string[]> {
  const r = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = $1 AND p.relnamespace = current_schema()::regnamespace
     ORDER BY c.relname`,
    [table],
  );
  return r.rows.map((row) => row.name);
}
