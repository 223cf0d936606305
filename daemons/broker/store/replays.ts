/**
 * The `replay_jobs` rows: creating a job (idempotent per policy uid and generation), reading it,
 * and the lease a worker holds while it runs it. Leases work like the evaluation claims: a random
 * token and an expiry, taken with FOR UPDATE SKIP LOCKED so two replicas never run one job; every
 * write of the worker names its token, so a worker that lost the job cannot record anything.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable, SqlClient } from './sql-client.js';
import { windowConditions } from './replay-pages.js';
import type { ReplayJob, ReplayPolicy, ReplayState } from '../../../contracts/replay.js';
import { LostReplayError, type NewReplay, type ReplayLease } from './replay-types.js';

export interface ReplayRow {
  id: string | number;
  policy_uid: string;
  policy_kind: string;
  policy_namespace: string;
  policy_name: string;
  policy_generation: string | number;
  since: Date;
  until: Date;
  state: string;
  scan_cursor: string | number;
  retry_ids: (string | number)[];
  flows_total: string | number | null;
  flows_scanned: string | number;
  verdicts: string | number;
  error: string | null;
  lease_token: string | null;
}

const FIELDS = ['id', 'policy_uid', 'policy_kind', 'policy_namespace', 'policy_name', 'policy_generation', 'since', 'until', 'state',
  'scan_cursor', 'retry_ids', 'flows_total', 'flows_scanned', 'verdicts', 'error', 'lease_token'];
const COLUMNS = FIELDS.join(', ');

export function toReplayJob(r: ReplayRow): ReplayJob {
  const job: ReplayJob = {
    id: Number(r.id),
    policy: {
      uid: r.policy_uid,
      kind: r.policy_kind as ReplayPolicy['kind'],
      namespace: r.policy_namespace,
      name: r.policy_name,
      generation: Number(r.policy_generation),
    },
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    state: r.state as ReplayState,
    flowsScanned: Number(r.flows_scanned),
    flowsTotal: r.flows_total === null ? null : Number(r.flows_total),
    verdicts: Number(r.verdicts),
  };
  if (r.error !== null) job.error = r.error;
  return job;
}

function toLease(r: ReplayRow, token: string): ReplayLease {
  return { job: toReplayJob(r), token, cursor: Number(r.scan_cursor), retry: r.retry_ids.map(Number) };
}

async function createIn(tx: Queryable, req: NewReplay, now: Date): Promise<{ job: ReplayJob; created: boolean }> {
  const p = req.policy;
  const ins = await tx.query<ReplayRow>(
    `INSERT INTO replay_jobs (policy_uid, policy_kind, policy_namespace, policy_name, policy_generation, since, until, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (policy_uid, policy_generation) DO NOTHING
     RETURNING ${COLUMNS}`,
    [p.uid, p.kind, p.namespace, p.name, p.generation, req.since, now],
  );
  const fresh = ins.rows[0];
  if (fresh !== undefined) {
    // An older generation's replay is pointless now: its counts will never be published.
    await tx.query(
      `UPDATE replay_jobs SET state = 'Superseded', finished_at = $3, lease_token = NULL, lease_until = NULL,
         error = 'generation ' || $2::bigint || ' was requested'
       WHERE policy_uid = $1 AND policy_generation < $2 AND state = 'Running'`,
      [p.uid, p.generation, now],
    );
    return { job: toReplayJob(fresh), created: true };
  }
  // A Failed or Superseded job asked for again runs again from where it stopped: a 409 may have
  // come from an evaluator replica that had not yet seen the generation its leader asks for.
  // Running and Complete jobs are returned as they are.
  const again = await tx.query<ReplayRow>(
    `UPDATE replay_jobs SET state = CASE WHEN state IN ('Failed', 'Superseded') THEN 'Running' ELSE state END,
       error = CASE WHEN state IN ('Failed', 'Superseded') THEN NULL ELSE error END,
       finished_at = CASE WHEN state IN ('Failed', 'Superseded') THEN NULL ELSE finished_at END
     WHERE policy_uid = $1 AND policy_generation = $2 RETURNING ${COLUMNS}`,
    [p.uid, p.generation],
  );
  const row = again.rows[0];
  if (row === undefined) throw new Error(`replay for ${p.uid} generation ${p.generation} vanished`);
  return { job: toReplayJob(row), created: false };
}

export function createReplay(client: SqlClient, req: NewReplay, now: Date): Promise<{ job: ReplayJob; created: boolean }> {
  return client.transaction((tx) => createIn(tx, req, now));
}

export async function getReplay(db: Queryable, id: number): Promise<ReplayJob | undefined> {
  const r = await db.query<ReplayRow>(`SELECT ${COLUMNS} FROM replay_jobs WHERE id = $1`, [id]);
  const row = r.rows[0];
  return row === undefined ? undefined : toReplayJob(row);
}

export async function claimReplay(client: SqlClient, now: Date, leaseMs: number): Promise<ReplayLease | undefined> {
  const token = randomUUID();
  const r = await client.transaction((tx) =>
    tx.query<ReplayRow>(
      `WITH c AS (
         SELECT id FROM replay_jobs WHERE state = 'Running' AND (lease_until IS NULL OR lease_until < $3)
         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE replay_jobs j SET lease_token = $1, lease_until = $2 FROM c WHERE j.id = c.id
       RETURNING ${FIELDS.map((c) => `j.${c}`).join(', ')}`,
      [token, new Date(now.getTime() + leaseMs), now],
    ),
  );
  const row = r.rows[0];
  return row === undefined ? undefined : toLease(row, token);
}

/** Runs an UPDATE of the held job; throws LostReplayError when no row matched the lease. */
export async function updateHeld(db: Queryable, lease: ReplayLease, set: string, params: unknown[]): Promise<void> {
  const n = params.length;
  const r = await db.query(
    `UPDATE replay_jobs SET ${set} WHERE id = $${n + 1} AND lease_token = $${n + 2} AND state = 'Running' RETURNING id`,
    [...params, lease.job.id, lease.token],
  );
  if (r.rows.length === 0) throw new LostReplayError(lease.job.id);
}

export function renewReplay(db: Queryable, lease: ReplayLease, now: Date, leaseMs: number): Promise<void> {
  return updateHeld(db, lease, 'lease_until = $1', [new Date(now.getTime() + leaseMs)]);
}

export async function countWindow(db: Queryable, lease: ReplayLease): Promise<number> {
  const params: unknown[] = [];
  const conds = windowConditions(lease.job, params);
  const r = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM flows WHERE ${conds.join(' AND ')}`, params);
  const n = Number(r.rows[0]?.n ?? 0);
  await updateHeld(db, lease, 'flows_total = $1', [n]);
  lease.job.flowsTotal = n;
  return n;
}

export async function finishReplay(db: Queryable, lease: ReplayLease, state: Exclude<ReplayState, 'Running'>, now: Date, error?: string): Promise<void> {
  await updateHeld(db, lease, 'state = $1, finished_at = $2, error = $3, lease_token = NULL, lease_until = NULL', [state, now, error ?? null]);
  lease.job.state = state;
}

export function noteReplayError(db: Queryable, lease: ReplayLease, error: string | null): Promise<void> {
  return updateHeld(db, lease, 'error = $1', [error]);
}

export async function releaseReplay(db: Queryable, lease: ReplayLease): Promise<void> {
  await db.query('UPDATE replay_jobs SET lease_token = NULL, lease_until = NULL WHERE id = $1 AND lease_token = $2', [lease.job.id, lease.token]);
}
