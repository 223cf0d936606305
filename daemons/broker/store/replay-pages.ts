/**
 * The replay's pass over `flows`: reading what a slot of the window (or a list of rows) owes, in
 * one statement, and writing a page's verdicts.
 *
 * Counting exactly once, together with the live dispatcher. For a flow row, the live path has
 * judged `count - pending` observations; some of them may already have verdicts of this policy
 * generation (the evaluator had the new spec before the replay reached the row). The replay
 * stores, per row, what is still owed:
 *
 *     owed = (count - pending) - (sum of this uid+generation's verdict counts for the row)
 *
 * computed by one statement, so one snapshot sees the row and its verdicts together: a live
 * completion is either wholly visible (pending lowered and its verdicts stored) or not at all.
 * Whatever commits after that snapshot concerns observations that were still pending in it (the
 * live path only ever judges pending ones), so the owed counts stay exact until the write, however
 * long the evaluator takes. Observations still pending are left to the live path, which judges them
 * later with the new generation. A row under an active live claim is not counted (those
 * observations are about to be judged, possibly by the old generation) but listed for a later visit.
 *
 * Right after an edit, some evaluator replica may still judge live flows with the old generation.
 * While the job is `settling` (its first REPLAY_SETTLE_MS), a row with pending observations is
 * also visited again until the live path has judged them, each visit storing only the new delta;
 * after that, pending observations are trusted to be judged live with the new generation.
 *
 * The verdicts already stored for a row all have observed_at within [bucket, last_seen] (the
 * flow's last_seen when it was judged), so the lookup scans the policy generation's index over
 * the read's time span only, not every verdict the replay has written so far.
 *
 * Distinct flows, aggregated verdicts. Most rows of a window are the same flow seen again in
 * another minute, so the read groups rows in SQL by what the evaluation depends on (the ends, port,
 * protocol and direction, plus the minute when an end has no stamped identity) and by replay
 * bucket; grouping on the columns themselves costs far less than building a text key per row.
 * The worker asks the evaluator once per distinct flow per job, and the write stores one verdict
 * row per (flow, verdict, reason, REPLAY_BUCKET_MS bucket) with the owed counts summed and
 * observed_at the latest last_seen (replay-tally.ts). Such a row covers several flow rows, so it
 * carries flow_id 0 and the per-row lookup above never sees it; that is sound because those rows
 * are never written again by this job (a page commits with the cursor past them). Rows that will
 * be visited again (settling with pending observations) are grouped and stored one per row with
 * their flow_id, so the next visit subtracts what was stored. Aggregates never cross a day (the
 * bucket divides a day), so each stays in one partition.
 *
 * Namespace prefilter: a namespaced policy selects pods of its own namespace, so it can judge only
 * egress seen from that namespace and ingress seen into it. Rows whose relevant end has no stamped
 * identity ('') are kept: the evaluator may resolve their IP to a pod of that namespace.
 */
import type { Queryable } from './sql-client.js';
import { distinctFlows, flowIdentity, flowKey, settle, verdictValues } from './replay-tally.js';
import type { ReplayJob } from '../../../contracts/replay.js';
import { endName } from '../../../contracts/flow-end-label.js';
import type { OwedGroup, PageTally, PageWrite, PageWritten, ReplayPage, ReplayRows } from './replay-types.js';
import { insertVerdicts } from './verdict-insert.js';
import type { Direction, Protocol } from '../../../policy/types.js';

const MINUTE_MS = 60_000;

/** Conditions selecting the flow rows a job covers; pushes their values onto `params`. */
export function windowConditions(job: ReplayJob, params: unknown[]): string[] {
  const since = Date.parse(job.since);
  params.push(new Date(since - (since % MINUTE_MS)), new Date(job.until));
  const conds = [`bucket >= $${params.length - 1}`, `bucket <= $${params.length}`];
  if (job.policy.kind === 'AuditNetworkPolicy') {
    params.push(job.policy.namespace);
    const ns = `$${params.length}`;
    conds.push(`((direction = 'Egress' AND src_namespace IN (${ns}, '')) OR (direction = 'Ingress' AND dst_namespace IN (${ns}, '')))`);
  }
  return conds;
}

/** Default replay bucket: replayed observations of one flow are stored as one verdict row per bucket. */
export const REPLAY_BUCKET_MS = 10 * MINUTE_MS;

const UNSTAMPED = "(src_namespace = '' OR src_pod = '' OR dst_namespace = '' OR dst_pod = '')";

/** What a read runs with: the time live claims are judged against, and whether the job is settling. */
export interface ReadOptions {
  now: Date;
  settling: boolean;
}

interface TallyRow {
  kind: 'g' | 'c' | 'n';
  ref: string | number;
  slot: number | null;
  direction: string;
  src_host: string;
  src_namespace: string;
  src_pod: string;
  dst_host: string;
  dst_namespace: string;
  dst_pod: string;
  dst_port: number;
  protocol: string;
  state: string;
  minute: number | null;
  t: number;
  owed: string | number;
  ids: string;
}

/**
 * The read of a scope (`scope` pushes its parameters and returns its condition): one row per owed
 * group ('g'), per claimed row ('c'), and the scope's row count ('n').
 */
export function tallySql(job: ReplayJob, scope: (params: unknown[]) => string, o: ReadOptions, bucketMs: number): { text: string; params: unknown[] } {
  const p = job.policy;
  const params: unknown[] = [o.now, p.uid, p.generation, o.settling, bucketMs / 1000];
  const conds = windowConditions(job, params);
  conds.push(scope(params));
  const text = `
WITH f AS MATERIALIZED (
  SELECT id, bucket, last_seen, direction, src_ip, src_namespace, src_pod, dst_ip, dst_namespace, dst_pod, dst_port, protocol, state,
    count - pending AS judged, pending, (lease_token IS NOT NULL AND lease_until > $1) AS claimed
  FROM flows WHERE ${conds.join(' AND ')}),
a AS (
  SELECT flow_id, sum(count) AS n FROM audit_verdicts
  WHERE policy_uid = $2 AND policy_generation = $3
    AND observed_at >= (SELECT min(bucket) FROM f) AND observed_at <= (SELECT max(last_seen) FROM f)
    AND flow_id IN (SELECT id FROM f)
  GROUP BY flow_id),
d AS (
  SELECT f.*, f.judged - coalesce(a.n, 0)::bigint AS owed, ($4::boolean AND f.pending > 0) AS again
  FROM f LEFT JOIN a ON a.flow_id = f.id
  WHERE NOT f.claimed)
SELECT 'g' AS kind, CASE WHEN again THEN id ELSE 0 END AS ref,
  (floor(extract(epoch FROM bucket) / $5::float8) * $5::float8 * 1000)::float8 AS slot,
  direction, host(src_ip) AS src_host, src_namespace, src_pod, host(dst_ip) AS dst_host, dst_namespace, dst_pod, dst_port, protocol, state,
  CASE WHEN ${UNSTAMPED} THEN (extract(epoch FROM bucket) * 1000)::float8 END AS minute,
  (extract(epoch FROM max(last_seen)) * 1000)::float8 AS t,
  coalesce(sum(owed) FILTER (WHERE owed > 0), 0) AS owed,
  coalesce(string_agg(id::text, ',') FILTER (WHERE owed > 0), '') AS ids
FROM d WHERE owed > 0 OR again
GROUP BY ref, slot, direction, src_ip, src_namespace, src_pod, dst_ip, dst_namespace, dst_pod, dst_port, protocol, state, minute
UNION ALL
SELECT 'c', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM f WHERE claimed
UNION ALL
SELECT 'n', count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM f`;
  return { text, params };
}

function toGroup(r: TallyRow): OwedGroup {
  const ends = {
    direction: r.direction as Direction,
    src: endName({ ip: r.src_host, namespace: r.src_namespace, pod: r.src_pod }),
    dst: endName({ ip: r.dst_host, namespace: r.dst_namespace, pod: r.dst_pod }),
    port: r.dst_port,
    protocol: r.protocol as Protocol,
  };
  const identity = flowIdentity(ends);
  const owed = Number(r.owed);
  return {
    flowRef: Number(r.ref), slot: r.slot ?? 0, identity, lastSeen: r.t, owed, owingIds: r.ids, state: r.state,
    flow: { key: flowKey(identity, r.minute), lastSeen: new Date(r.t).toISOString(), ...ends, judged: owed },
  };
}

/** Reads a scope in the caller's transaction (its settings are the transaction's). */
async function readTally(db: Queryable, job: ReplayJob, scope: (params: unknown[]) => string, o: ReadOptions, bucketMs: number): Promise<ReplayRows & { rows: number }> {
  await db.query(SLOT_SETTINGS);
  const { text, params } = tallySql(job, scope, o, bucketMs);
  const r = await db.query<TallyRow>(text, params);
  const tally: PageTally = { groups: [], claimed: [] };
  let rows = 0;
  for (const row of r.rows) {
    if (row.kind === 'g') tally.groups.push(toGroup(row));
    else if (row.kind === 'c') tally.claimed.push(Number(row.ref));
    else rows = Number(row.ref);
  }
  tally.claimed.sort((x, y) => x - y);
  return { flows: distinctFlows(tally.groups), tally, rows };
}

/** The first slot at or after `cursor` that has rows of the window, as [from, to), or undefined. */
export async function nextSlot(db: Queryable, job: ReplayJob, cursor: number, bucketMs: number): Promise<{ from: number; to: number } | undefined> {
  const params: unknown[] = [];
  const conds = windowConditions(job, params);
  params.push(new Date(cursor));
  const r = await db.query<{ t: number | null }>(
    `SELECT (extract(epoch FROM min(bucket)) * 1000)::float8 AS t FROM flows WHERE ${conds.join(' AND ')} AND bucket >= $${params.length}`,
    params,
  );
  const t = r.rows[0]?.t;
  if (t === null || t === undefined) return undefined;
  const from = Math.floor(t / bucketMs) * bucketMs;
  return { from, to: from + bucketMs };
}

/**
 * Settings of a read's transaction: the planner overestimates these rows by far and would spend
 * seconds compiling the statement (JIT); its aggregates need more than the default work_mem; and
 * it sorted 200,000 rows on twelve columns to group them where hashing takes a third of the time.
 */
export const SLOT_SETTINGS = "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('enable_sort', 'off', true)";

/** Reads one slot [from, to) of the main pass; call it in a transaction. */
export async function readSlot(db: Queryable, job: ReplayJob, slot: { from: number; to: number }, o: ReadOptions, bucketMs: number): Promise<ReplayPage> {
  const page = await readTally(db, job, (params) => {
    params.push(new Date(slot.from), new Date(slot.to));
    return `bucket >= $${params.length - 1} AND bucket < $${params.length}`;
  }, o, bucketMs);
  return { ...page, from: slot.from, to: slot.to };
}

/** Reads the listed rows (those still in the window); call it in a transaction. */
export async function readRows(db: Queryable, job: ReplayJob, ids: number[], o: ReadOptions, bucketMs: number): Promise<ReplayRows> {
  if (ids.length === 0) return { flows: [], tally: { groups: [], claimed: [] } };
  const { flows, tally } = await readTally(db, job, (params) => {
    params.push(ids);
    return `id = ANY($${params.length}::bigint[])`;
  }, o, bucketMs);
  return { flows, tally };
}

/** Writes a page's verdicts in the caller's transaction (the job's progress is the caller's). */
export async function writePage(tx: Queryable, job: ReplayJob, w: PageWrite, now: Date): Promise<PageWritten> {
  const { rows, revisit } = settle(w.tally, w.judgements);
  await insertVerdicts(tx, rows.map((r) => verdictValues(r, job.policy, now)));
  return { inserted: rows.length, revisit };
}
