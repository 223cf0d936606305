/**
 * The evaluation loop's side of `flows`. A claim stamps rows with a random token and a lease
 * (in a short transaction of its own, so ingest never waits on the evaluator); completing the
 * claim subtracts exactly the observations it claimed from `pending` and inserts their verdicts
 * in one transaction, but only for rows still carrying the token. So an observation is judged
 * once: a crash before the commit leaves it pending, and a claim that expired and was taken
 * over by another replica stores nothing. Completing or releasing a claim first locks all its
 * rows in key order, the order ingest's upsert locks them in (flow-key.ts), so the two never
 * deadlock; the updates that follow touch only rows already locked.
 */
import { randomUUID } from 'node:crypto';
import { compareKeys, storedFlowKey } from './flow-key.js';
import type { Queryable } from './sql-client.js';
import { flowColumns, toFlow, type FlowRow } from './rows.js';
import type { Claim, ClaimedFlow, FlowJudgement, NewVerdict, StoredCheckTally, StoredFlow, StoredVerdictTally } from './types.js';
import { insertChecks, judgeChecks, type CheckInsert } from './enforcement-checks.js';
import { endIdentity, insertVerdicts, type VerdictValues } from './verdict-insert.js';

export async function claimPending(db: Queryable, limit: number, now: Date, leaseMs: number): Promise<Claim> {
  const token = randomUUID();
  const r = await db.query<FlowRow & { pending: string | number; checks_hash: string | number | null }>(
    `WITH c AS (
       SELECT id, bucket FROM flows
       WHERE pending > 0 AND (lease_until IS NULL OR lease_until < $3)
       ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE flows f SET lease_token = $1, lease_until = $2 FROM c
     WHERE f.id = c.id AND f.bucket = c.bucket
     RETURNING ${flowColumns('f')}, f.pending, f.checks_hash`,
    [token, new Date(now.getTime() + leaseMs), now, limit],
  );
  const flows = r.rows
    .map((row) => ({ flow: toFlow(row), pending: Number(row.pending), checks: row.checks_hash === null ? null : Number(row.checks_hash) }))
    .sort((a, b) => a.flow.id - b.flow.id);
  return { token, flows };
}

interface VerdictInsert {
  flow: StoredFlow;
  count: number;
  v: NewVerdict;
  resolved: FlowJudgement['resolved'];
}

function verdictValues(x: VerdictInsert, now: Date): VerdictValues {
  const { v, flow: f } = x;
  const [srcNs, srcPod] = endIdentity(f.src, x.resolved?.src);
  const [dstNs, dstPod] = endIdentity(f.dst, x.resolved?.dst);
  return [f.lastSeen, now, f.id, v.policy.uid, v.policy.kind, v.policy.namespace, v.policy.name,
    v.policy.generation, v.direction, v.verdict, srcNs, srcPod, f.src.ip, dstNs, dstPod, f.dst.ip, f.dst.port, f.protocol, v.reason, x.count, f.state];
}

/**
 * What one completed claim committed: the verdicts, with the conversations each stands for, and the
 * enforcement checks judged, summed per prediction and observed state (the verify metrics' labels).
 */
export interface Completed {
  stored: StoredVerdictTally[];
  checked: StoredCheckTally[];
}

/** Adds `count` conversations to the tally of (predicted, state): a few entries a claim, not one per check. */
function tally(into: StoredCheckTally[], predicted: StoredCheckTally['predicted'], state: StoredCheckTally['state'], count: number): void {
  const hit = into.find((t) => t.predicted === predicted && t.state === state);
  if (hit === undefined) into.push({ predicted, state, count });
  else hit.count += count;
}

/**
 * Locks, in the caller's transaction, the claim's rows that still carry its token, in ascending
 * key order (ORDER BY before FOR UPDATE: PostgreSQL locks rows as the sort returns them). The
 * claim lists its rows by id, which says nothing about their keys.
 */
async function lockInKeyOrder(tx: Queryable, token: string, flows: readonly ClaimedFlow[]): Promise<void> {
  if (flows.length === 0) return;
  const sorted = flows.map((c) => ({ c, key: storedFlowKey(c.flow) })).sort((x, y) => compareKeys(x.key, y.key));
  await tx.query(
    `SELECT 1 FROM flows f
     JOIN unnest($2::bigint[], $3::timestamptz[]) WITH ORDINALITY AS u(id, bucket, ord) ON f.id = u.id AND f.bucket = u.bucket
     WHERE f.lease_token = $1
     ORDER BY u.ord
     FOR UPDATE OF f`,
    [token, sorted.map((x) => x.c.flow.id), sorted.map((x) => x.c.flow.bucket)],
  );
}

/**
 * Completes a claim in the caller's transaction; `stored` has one entry per verdict row written,
 * `checked` the enforcement checks judged, summed per prediction and state (a check is written as a
 * row only where it changed the flow row's checks: enforcement-checks.ts).
 */
export async function completeClaim(tx: Queryable, claim: Claim, judgements: readonly FlowJudgement[], now: Date): Promise<Completed> {
  await lockInKeyOrder(tx, claim.token, claim.flows);
  const judged = new Map(judgements.map((j) => [j.flowId, j]));
  const done = claim.flows.filter((c) => judged.has(c.flow.id));
  // None judged (checks off, or no enforced policy decides the flow) ends the flow row's ranges.
  const checks = await judgeChecks(tx, done.map((c) => ({ flow: c.flow, previous: c.checks, checks: judged.get(c.flow.id)?.enforcement ?? [] })));
  const r = await tx.query<{ id: string | number }>(
    `UPDATE flows f SET pending = f.pending - u.n, lease_token = NULL, lease_until = NULL, checks_hash = u.h
     FROM unnest($2::bigint[], $3::timestamptz[], $4::bigint[], $5::bigint[]) AS u(id, bucket, n, h)
     WHERE f.id = u.id AND f.bucket = u.bucket AND f.lease_token = $1
     RETURNING f.id`,
    [claim.token, done.map((c) => c.flow.id), done.map((c) => c.flow.bucket), done.map((c) => c.pending), checks.map((x) => x.hash)],
  );
  const kept = new Set(r.rows.map((row) => Number(row.id)));
  const inserts: VerdictInsert[] = [];
  const checkRows: CheckInsert[] = [];
  const checked: StoredCheckTally[] = [];
  done.forEach((c, i) => {
    if (!kept.has(c.flow.id)) return;
    const j = judged.get(c.flow.id);
    for (const v of j?.verdicts ?? []) inserts.push({ flow: c.flow, count: c.pending, v, resolved: j?.resolved });
    for (const check of j?.enforcement ?? []) tally(checked, check.predicted, c.flow.state, c.pending);
    const judgedBefore = c.flow.count - c.pending;
    for (const row of checks[i]?.rows ?? []) checkRows.push({ ...row, flow: c.flow, judgedBefore, count: c.pending, resolved: j?.resolved });
  });
  await insertVerdicts(tx, inserts.map((x) => verdictValues(x, now)));
  await insertChecks(tx, checkRows);
  await dropLeases(tx, claim.token, claim.flows.filter((c) => !judged.has(c.flow.id)));
  return { stored: inserts.map((x) => ({ verdict: x.v, count: x.count })), checked };
}

/** Drops the lease on the given flows (if still ours) without touching `pending`, in the caller's transaction. */
export async function releaseClaim(tx: Queryable, claim: Claim): Promise<void> {
  await lockInKeyOrder(tx, claim.token, claim.flows);
  await dropLeases(tx, claim.token, claim.flows);
}

/** Clears the token and lease of rows already locked by lockInKeyOrder(). */
async function dropLeases(tx: Queryable, token: string, flows: readonly ClaimedFlow[]): Promise<void> {
  if (flows.length === 0) return;
  await tx.query(
    `UPDATE flows f SET lease_token = NULL, lease_until = NULL
     FROM unnest($2::bigint[], $3::timestamptz[]) AS u(id, bucket)
     WHERE f.id = u.id AND f.bucket = u.bucket AND f.lease_token = $1`,
    [token, flows.map((c) => c.flow.id), flows.map((c) => c.flow.bucket)],
  );
}
