/**
 * The replay's pass over `flows`: reading pages of the window (only the columns the evaluator
 * needs) and writing a page's verdicts.
 *
 * Counting exactly once, together with the live dispatcher. For a flow row, the live path has
 * judged `count - pending` observations; some of them may already have verdicts of this policy
 * generation (the evaluator had the new spec before the replay reached the row). The replay
 * stores, per row, one verdict whose count is what is still owed:
 *
 *     owed = (count - pending) - (sum of this uid+generation's verdict counts for the row)
 *
 * computed by one statement, so one snapshot sees the row and its verdicts together: a live
 * completion is either wholly visible (pending lowered and its verdicts stored) or not at all.
 * Observations still pending are left to the live path, which judges them later with the new
 * generation. A row under an active live claim is not written (those observations are about to
 * be judged, possibly by the old generation) but listed for a later visit, as is a row the page
 * did not evaluate that now owes something (it arrived in the id range after the page was read,
 * or was read with nothing judged yet). The evaluation of a flow does not depend on its counts,
 * so a judgement made before the write stays valid for whatever count is owed at write time.
 *
 * Right after an edit, some evaluator replica may still judge live flows with the old generation.
 * While the job is `settling` (its first REPLAY_SETTLE_MS), a row with pending observations is
 * also visited again until the live path has judged them, each visit storing only the new delta;
 * after that, pending observations are trusted to be judged live with the new generation.
 *
 * The verdicts already stored for a row all have observed_at within [bucket, last_seen] (the
 * flow's last_seen when it was judged), so the lookup scans the policy generation's index over
 * the page's time span only, not every verdict the replay has written so far.
 *
 * Distinct flows, aggregated verdicts. Most rows of a window are the same flow seen again in
 * another minute, so a page is read grouped by what the evaluation depends on (keyed(): the ends,
 * port, protocol and direction, plus the minute when an end has no stamped identity) and the
 * worker asks the evaluator once per distinct flow per job. The write joins the page's rows to
 * those judgements by key and stores one verdict row per (flow, verdict, reason, REPLAY_BUCKET_MS
 * bucket of the row's minute) with the owed counts summed and observed_at the latest last_seen:
 * far fewer rows for the ten indexes of audit_verdicts. Such a row covers several flow rows, so it
 * carries flow_id 0 and the per-row lookup above never sees it; that is sound because those rows
 * are never written again by this job (a page commits with the cursor past them). Rows that will
 * be visited again (settling with pending observations) are written one verdict per row with
 * their flow_id, so the next visit subtracts what was stored. Aggregates never cross a day (the
 * bucket divides a day), so each stays in one partition.
 *
 * Namespace prefilter: a namespaced policy selects pods of its own namespace, so it can judge only
 * egress seen from that namespace and ingress seen into it. Rows whose relevant end has no stamped
 * identity ('') are kept: the evaluator may resolve their IP to a pod of that namespace.
 */
import { LOCK_KEYS } from './migrations.js';
import type { Queryable } from './sql-client.js';
import type { PageWrite, PageWritten, ReplayFlow, ReplayJob, ReplayPage } from './replay-types.js';
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

/**
 * A flow row's ends, port, protocol and direction as one text (`g`), and its grouping key (`k`,
 * see above: plus the minute when an end has no stamped identity). U+001F never occurs in the
 * parts (ingest validation). Both compare bytewise (COLLATE "C"): sorting and grouping under the
 * database's locale collation took seconds per slot. Used as a derived table over `flows`.
 */
function keyed(where: string): string {
  const g = `concat_ws(E'\\x1f', direction, host(src_ip), src_namespace, src_pod, host(dst_ip), dst_namespace, dst_pod, dst_port, protocol)`;
  return `(SELECT r.*, (CASE WHEN ${UNSTAMPED} THEN g || E'\\x1f' || (extract(epoch FROM bucket) * 1000)::bigint ELSE g END) COLLATE "C" AS k
    FROM (SELECT flows.*, ${g} COLLATE "C" AS g FROM flows WHERE ${where}) r) kf`;
}

interface ReplayFlowRow {
  k: string;
  t: number;
  direction: string;
  src_ip: string;
  src_namespace: string;
  src_pod: string;
  dst_ip: string;
  dst_namespace: string;
  dst_pod: string;
  dst_port: number;
  protocol: string;
  judged: string | number;
  n: string | number;
}

/** Groups the rows of CTE `p` into distinct flows (the key determines the other columns), with the row count on every row. */
const GROUPED = `SELECT k, (extract(epoch FROM max(last_seen)) * 1000)::float8 AS t, min(direction) AS direction, host(min(src_ip)) AS src_ip,
  min(src_namespace) AS src_namespace, min(src_pod) AS src_pod, host(min(dst_ip)) AS dst_ip, min(dst_namespace) AS dst_namespace,
  min(dst_pod) AS dst_pod, min(dst_port) AS dst_port, min(protocol) AS protocol, sum(judged) AS judged, (SELECT count(*) FROM p) AS n
FROM p GROUP BY k`;

const PAGE_COLUMNS = `id, last_seen, direction, src_ip, src_namespace, src_pod, dst_ip, dst_namespace, dst_pod, dst_port, protocol,
  count - pending AS judged, k`;

function toReplayFlow(r: ReplayFlowRow): ReplayFlow {
  return {
    key: r.k,
    lastSeen: new Date(r.t).toISOString(),
    direction: r.direction as Direction,
    src: { ip: r.src_ip, namespace: r.src_namespace, pod: r.src_pod },
    dst: { ip: r.dst_ip, namespace: r.dst_namespace, pod: r.dst_pod },
    port: r.dst_port,
    protocol: r.protocol as Protocol,
    judged: Number(r.judged),
  };
}

/** The SQL of a main-pass page (one slot), exported for the EXPLAIN test. */
export function readPageSql(job: ReplayJob, from: number, to: number): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds = windowConditions(job, params);
  params.push(new Date(from), new Date(to));
  const page = `SELECT ${PAGE_COLUMNS} FROM ${keyed(`${conds.join(' AND ')} AND bucket >= $${params.length - 1} AND bucket < $${params.length}`)}`;
  return { text: `WITH p AS MATERIALIZED (${page}) ${GROUPED}`, params };
}

/** The first slot at or after `cursor` that has rows of the window, or undefined. */
async function nextSlot(db: Queryable, job: ReplayJob, cursor: number, bucketMs: number): Promise<number | undefined> {
  const params: unknown[] = [];
  const conds = windowConditions(job, params);
  params.push(new Date(cursor));
  const r = await db.query<{ t: number | null }>(
    `SELECT (extract(epoch FROM min(bucket)) * 1000)::float8 AS t FROM flows WHERE ${conds.join(' AND ')} AND bucket >= $${params.length}`,
    params,
  );
  const t = r.rows[0]?.t;
  return t === null || t === undefined ? undefined : Math.floor(t / bucketMs) * bucketMs;
}

/** Settings of the transaction of a slot's read or write (see writePage). */
export const SLOT_SETTINGS = "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)";

/** Reads the next slot; call it in a transaction (its settings are the transaction's). */
export async function readPage(db: Queryable, job: ReplayJob, cursor: number, bucketMs: number): Promise<ReplayPage> {
  await db.query(SLOT_SETTINGS);
  const from = await nextSlot(db, job, cursor, bucketMs);
  if (from === undefined) return { flows: [], from: cursor, to: cursor, rows: 0 };
  const to = from + bucketMs;
  const { text, params } = readPageSql(job, from, to);
  const r = await db.query<ReplayFlowRow>(text, params);
  return { flows: r.rows.map(toReplayFlow), from, to, rows: Number(r.rows[0]?.n ?? 0) };
}

export async function readRows(db: Queryable, job: ReplayJob, ids: number[]): Promise<ReplayFlow[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [];
  const conds = windowConditions(job, params);
  params.push(ids);
  const page = `SELECT ${PAGE_COLUMNS} FROM ${keyed(`${conds.join(' AND ')} AND id = ANY($${params.length}::bigint[])`)}`;
  const r = await db.query<ReplayFlowRow>(`WITH p AS MATERIALIZED (${page}) ${GROUPED}`, params);
  return r.rows.map(toReplayFlow);
}

/**
 * A page's judgements as parameters: the keys, and per key the index of its distinct (verdict,
 * reason) pair as comma-joined text (0: no verdict of this policy).
 */
function judgementParams(w: PageWrite): unknown[] {
  const pairs = new Map<string, number>();
  const verdicts: string[] = [];
  const reasons: string[] = [];
  const keys: number[] = [];
  for (const j of w.judgements) {
    if (j.verdict === null) {
      keys.push(0);
      continue;
    }
    const pair = `${j.verdict.verdict}\u0000${j.verdict.reason}`;
    let k = pairs.get(pair);
    if (k === undefined) {
      verdicts.push(j.verdict.verdict);
      reasons.push(j.verdict.reason);
      k = verdicts.length;
      pairs.set(pair, k);
    }
    keys.push(k);
  }
  return [w.judgements.map((j) => j.key), keys.join(','), verdicts, reasons];
}

/** The page write: owed counts, inserts and the rows to revisit, in one statement (one snapshot). */
export function writePageSql(job: ReplayJob, w: PageWrite, now: Date, bucketMs: number): { text: string; params: unknown[] } {
  const p = job.policy;
  const params: unknown[] = [...judgementParams(w), now, p.uid, p.kind, p.namespace, p.name, p.generation, w.settling];
  const conds = windowConditions(job, params);
  if (w.scope.kind === 'slot') {
    params.push(new Date(w.scope.from), new Date(w.scope.to));
    conds.push(`bucket >= $${params.length - 1} AND bucket < $${params.length}`);
  } else {
    params.push(w.scope.ids);
    conds.push(`id = ANY($${params.length}::bigint[])`);
  }
  params.push(bucketMs / 1000);
  const bucketSecs = `$${params.length}::float8`;
  const text = `
WITH u AS (SELECT k COLLATE "C" AS k, v FROM unnest($1::text[], string_to_array($2, ',')::int[]) AS u(k, v)),
f AS MATERIALIZED (
  SELECT id, bucket, last_seen, direction, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, dst_port, protocol,
    count - pending AS judged, pending, (lease_token IS NOT NULL AND lease_until > $5) AS claimed, k, g
  FROM ${keyed(conds.join(' AND '))}),
a AS (
  SELECT flow_id, sum(count) AS n FROM audit_verdicts
  WHERE policy_uid = $6 AND policy_generation = $10
    AND observed_at >= (SELECT min(bucket) FROM f) AND observed_at <= (SELECT max(last_seen) FROM f)
    AND flow_id IN (SELECT id FROM f)
  GROUP BY flow_id),
d AS (
  SELECT f.*, u.k IS NOT NULL AS evaluated, ($3::text[])[u.v] AS verdict, ($4::text[])[u.v] AS reason,
    u.v, f.judged - coalesce(a.n, 0)::bigint AS owed, ($11::boolean AND f.pending > 0) AS again
  FROM f LEFT JOIN u ON u.k = f.k LEFT JOIN a ON a.flow_id = f.id),
w AS (
  SELECT flow_ref, slot, g, v, max(last_seen) AS observed_at, sum(owed) AS owed, min(direction) AS direction, min(src_namespace) AS src_namespace,
    min(src_pod) AS src_pod, min(src_ip) AS src_ip, min(dst_namespace) AS dst_namespace, min(dst_pod) AS dst_pod, min(dst_ip) AS dst_ip,
    min(dst_port) AS dst_port, min(protocol) AS protocol
  FROM (SELECT CASE WHEN again THEN id ELSE 0 END AS flow_ref, floor(extract(epoch FROM bucket) / ${bucketSecs}) AS slot, d.* FROM d
        WHERE evaluated AND NOT claimed AND verdict IS NOT NULL AND owed > 0) x
  GROUP BY flow_ref, slot, g, v),
ins AS (
  INSERT INTO audit_verdicts (observed_at, evaluated_at, flow_id, policy_uid, policy_kind, policy_namespace, policy_name,
    policy_generation, direction, verdict, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, reason, count)
  SELECT observed_at, $5, flow_ref, $6, $7, $8, $9, $10, direction, ($3::text[])[v], src_namespace, src_pod, src_ip, dst_namespace, dst_pod,
    dst_ip, dst_port, protocol, ($4::text[])[v], owed
  FROM w
  RETURNING 1)
SELECT (SELECT count(*) FROM ins) AS inserted,
  ARRAY(SELECT id FROM d WHERE claimed OR (NOT evaluated AND owed > 0) OR again ORDER BY id) AS revisit`;
  return { text, params };
}

/** Writes a page's verdicts in the caller's transaction (the job's progress is the caller's). */
export async function writePage(tx: Queryable, job: ReplayJob, w: PageWrite, now: Date, bucketMs: number): Promise<PageWritten> {
  // The planner overestimates these rows by far and would spend seconds compiling the statement
  // (JIT); its sorts and aggregates need more than the default work_mem to stay in memory.
  await tx.query(SLOT_SETTINGS);
  // Verdict ids must become visible in increasing order (the stream resumes after an id).
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.verdictIds]);
  const { text, params } = writePageSql(job, w, now, bucketMs);
  const r = await tx.query<{ inserted: string | number; revisit: (string | number)[] }>(text, params);
  const row = r.rows[0];
  return { inserted: Number(row?.inserted ?? 0), revisit: (row?.revisit ?? []).map(Number) };
}
