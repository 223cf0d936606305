/**
 * `enforcement_checks`: what the enforced NetworkPolicies predicted for a flow row, per policy that
 * decided it, and the report that sums checks over a window per flow and policy (GET
 * /v1/enforcement). Values are always parameters.
 *
 * A flow row is judged again every time it gets new observations, nearly always with the same
 * prediction, so a row per judgement wrote the same thing over and over. A check row now stands for
 * a range of the flow row's judged observations: it starts where a policy's prediction (or its
 * generation) first applies, at the number of observations judged before (`from_judged`), and it
 * runs to the next row of the same flow and policy or, for the last one, to what the flow row has
 * judged so far (flows.count - flows.pending). A policy that stops deciding the flow gets an end
 * row (predicted ''). The flow row keeps only a hash of its current checks (flows.checks_hash),
 * read by the claim and written by its completion, so a judgement that changes nothing writes no
 * check row and reads none; only when the hash changes are the checks themselves read back from
 * the flow row's check rows (currentChecks). Check rows are filed under their flow row's bucket
 * (observed_at = flows.bucket), so a window keeps every row of a flow row together.
 *
 * Rows written before (from_judged NULL) each stand for one judgement, with its own count and
 * time, and are reported as they always were.
 */
import type { EnforcementReport, EnforcementRow, Predicted } from '../../../contracts/enforcement.js';
import type { Direction, Protocol } from '../../../policy/types.js';
import { classify, explain, MIN_FAILURES, type EnforcedPolicyRef, type EnforcementCheck, type Observed } from '../verify/enforcement.js';
import { transpose } from './columns.js';
import type { Queryable } from './sql-client.js';
import type { StoredFlow } from '../../../contracts/broker-api.js';
import { endIdentity } from './verdict-insert.js';
import type { PodRef } from '../../../policy/types.js';

/** One check row to store: where a policy's prediction for a flow row starts ('' : where it ends). */
export interface CheckInsert {
  flow: StoredFlow;
  /** Observations of the flow row judged before this judgement: where the row's range starts. */
  judgedBefore: number;
  /** Observations this judgement judged (the count when the flow row is gone). */
  count: number;
  policy: EnforcedPolicyRef;
  predicted: Predicted | '';
  resolved?: { src: PodRef | null; dst: PodRef | null } | undefined;
}

/** A flow row's current checks, per policy (policyKey): what its last judgement's checks were. */
export type Remembered = Map<string, { policy: EnforcedPolicyRef; predicted: Predicted }>;

/** A policy's key among a flow row's checks (the uid alone would do, but a check may lack one). */
const policyKey = (p: EnforcedPolicyRef): string => `${p.uid}/${p.namespace}/${p.name}`;

/** cyrb53's two 32-bit lanes, fed one string at a time so the hash needs no text of its own. */
class Hash53 {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  add(text: string): this {
    for (let i = 0; i < text.length; i++) this.char(text.charCodeAt(i));
    return this;
  }

  char(code: number): this {
    this.h1 = Math.imul(this.h1 ^ code, 2654435761);
    this.h2 = Math.imul(this.h2 ^ code, 1597334677);
    return this;
  }

  value(): number {
    let h1 = Math.imul(this.h1 ^ (this.h1 >>> 16), 2246822507);
    h1 ^= Math.imul(this.h2 ^ (this.h2 >>> 13), 3266489909);
    let h2 = Math.imul(this.h2 ^ (this.h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }
}

const FIELD = 0x1f;
const ENTRY = 0x1e;

/**
 * flows.checks_hash for a judgement's checks: a 53-bit hash (an exact integer in JavaScript and in a
 * bigint column) of each policy's uid, generation, prediction, namespace and name, in the evaluator's
 * order; 0 for none, and never 0 for some. Kubernetes names and uids hold no control characters, so
 * the separators keep fields apart. Two different sets of checks hash alike about once in 2^53
 * changes; such a change would go unrecorded.
 */
export function checksHash(checks: readonly EnforcementCheck[]): number {
  if (checks.length === 0) return 0;
  const h = new Hash53();
  checks.forEach((c, i) => {
    if (i > 0) h.char(ENTRY);
    h.add(c.policy.uid).char(FIELD).add(String(c.policy.generation)).char(FIELD).add(c.predicted).char(FIELD).add(c.policy.namespace).char(FIELD).add(c.policy.name);
  });
  return h.value() || 1;
}

/** A check row a judgement adds, before the flow row's part of it. */
export type CheckChange = Pick<CheckInsert, 'policy' | 'predicted'>;

/**
 * The check rows a judgement adds to a flow row whose current checks are `before`: a start row for
 * each policy whose prediction or generation is new, an end row for each policy that no longer
 * decides the flow. The caller asks only when the checks' hash changed (or is not known).
 */
export function checkChanges(before: Remembered, checks: readonly EnforcementCheck[]): CheckChange[] {
  const rows: CheckChange[] = [];
  const now = new Set<string>();
  for (const c of checks) {
    now.add(policyKey(c.policy));
    const b = before.get(policyKey(c.policy));
    if (b?.predicted !== c.predicted || b.policy.generation !== c.policy.generation) rows.push({ policy: c.policy, predicted: c.predicted });
  }
  for (const [key, b] of before) if (!now.has(key)) rows.push({ policy: b.policy, predicted: '' });
  return rows;
}

/**
 * The current checks of the given flow rows, read back from their check rows: per policy, its latest
 * range's start (or end, predicted '', which leaves it out). Only ranges count (from_judged set):
 * rows of one judgement each, stored before ranges, never said what a flow row's checks are now.
 * Run after the rows are locked: only a holder of a flow row's lock writes its check rows.
 */
export async function currentChecks(tx: Queryable, flows: readonly { id: number; bucket: string }[]): Promise<Map<number, Remembered>> {
  const out = new Map<number, Remembered>();
  if (flows.length === 0) return out;
  const r = await tx.query<{ flow_id: string | number; policy_uid: string; policy_namespace: string; policy_name: string; policy_generation: string | number; predicted: string }>(
    `SELECT DISTINCT ON (c.flow_id, c.policy_uid, c.policy_namespace, c.policy_name)
       c.flow_id, c.policy_uid, c.policy_namespace, c.policy_name, c.policy_generation, c.predicted
     FROM enforcement_checks c JOIN unnest($1::bigint[], $2::timestamptz[]) AS u(id, bucket) ON c.flow_id = u.id AND c.observed_at = u.bucket
     WHERE c.from_judged IS NOT NULL
     ORDER BY c.flow_id, c.policy_uid, c.policy_namespace, c.policy_name, c.from_judged DESC`,
    [flows.map((f) => f.id), flows.map((f) => f.bucket)],
  );
  for (const row of r.rows) {
    if (row.predicted === '') continue;
    const id = Number(row.flow_id);
    let m = out.get(id);
    if (m === undefined) out.set(id, (m = new Map() as Remembered));
    const policy = { uid: row.policy_uid, namespace: row.policy_namespace, name: row.policy_name, generation: Number(row.policy_generation) };
    m.set(policyKey(policy), { policy, predicted: row.predicted === 'Deny' ? 'Deny' : 'Allow' });
  }
  return out;
}

/** A flow row being judged: the hash of the checks it was last judged with (see ClaimedFlow.checks) and its checks now. */
export interface FlowChecks {
  flow: StoredFlow;
  previous: number | null | undefined;
  checks: readonly EnforcementCheck[];
}

/**
 * For each flow row (in order), the hash to store and the check rows its judgement adds. A row
 * whose hash is unchanged adds none and reads nothing; otherwise its checks before are none (hash
 * 0) or read back from its check rows (currentChecks), in one query for all of them.
 */
export async function judgeChecks(tx: Queryable, flows: readonly FlowChecks[]): Promise<{ hash: number; rows: CheckChange[] }[]> {
  const hashes = flows.map((f) => checksHash(f.checks));
  // null (not known) never equals a hash: such a row is always read back.
  const changed = flows.map((f, i) => hashes[i] !== (f.previous === undefined ? 0 : f.previous));
  const before = await currentChecks(tx, flows.filter((f, i) => changed[i] === true && f.previous !== 0 && f.previous !== undefined).map((f) => f.flow));
  return flows.map((f, i) => ({
    hash: hashes[i] ?? 0,
    rows: changed[i] === true ? checkChanges(before.get(f.flow.id) ?? (new Map() as Remembered), f.checks) : [],
  }));
}

const CHECK_INSERT = `
INSERT INTO enforcement_checks (observed_at, flow_id, from_judged, policy_uid, policy_namespace, policy_name, policy_generation, direction,
  predicted, state, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, count)
SELECT * FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[],
  $10::text[], $11::text[], $12::text[], $13::inet[], $14::text[], $15::text[], $16::inet[], $17::int[], $18::text[], $19::bigint[])`;

export async function insertChecks(tx: Queryable, rows: readonly CheckInsert[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(({ flow: f, judgedBefore, count, policy: p, predicted, resolved }) => {
    const [srcNs, srcPod] = endIdentity(f.src, resolved?.src);
    const [dstNs, dstPod] = endIdentity(f.dst, resolved?.dst);
    return [f.bucket, f.id, judgedBefore, p.uid, p.namespace, p.name, p.generation, f.direction, predicted, f.state,
      srcNs, srcPod, f.src.ip, dstNs, dstPod, f.dst.ip, f.dst.port, f.protocol, count];
  });
  await tx.query(CHECK_INSERT, transpose(values, 19));
}

export interface EnforcementQuery {
  /** undefined: every namespace. */
  namespace?: string;
  policy?: string;
  since: Date;
  until: Date;
  /** At most this many flows (the most recently seen). */
  limit: number;
  /** Only the flows `classify` calls NotEnforced or DroppedElsewhere, chosen before the limit applies. */
  mismatches?: boolean;
}

/**
 * `classify`'s two mismatches over a group's sums, for the report's HAVING clause: filtering after
 * the limit would keep only the mismatches among the newest flows, and on a busy cluster the
 * agreeing flows crowd the rest out. The same rules as `classify` (enforcement.contract.ts checks
 * both agree on every case of its table).
 */
const MISMATCH_HAVING = `(predicted = 'Deny' AND (coalesce(sum(n) FILTER (WHERE state = 'established'), 0) > 0
    OR (direction = 'Ingress' AND coalesce(sum(n) FILTER (WHERE state = 'seen'), 0) > 0)))
  OR (predicted = 'Allow' AND coalesce(sum(n) FILTER (WHERE state IN ('established', 'seen')), 0) = 0
    AND coalesce(sum(n) FILTER (WHERE state IN ('attempt', 'refused')), 0) >= ${String(MIN_FAILURES)})`;

interface ReportRow {
  policy_uid: string;
  policy_namespace: string;
  policy_name: string;
  generation: string | number;
  direction: string;
  predicted: string;
  src_namespace: string;
  src_pod: string;
  src_ip: string;
  dst_namespace: string;
  dst_pod: string;
  dst_ip: string;
  port: number;
  protocol: string;
  established: string | number;
  attempt: string | number;
  refused: string | number;
  seen: string | number;
  first_seen: Date;
  last_seen: Date;
}

const MINUTE_MS = 60_000;
const IDENTITY = `policy_uid, policy_namespace, policy_name, direction, predicted, src_namespace, src_pod, src_ip, dst_namespace, dst_pod,
  dst_ip, port, protocol`;

/**
 * The report's statement. Rows of one judgement (from_judged NULL) count where their own time is in
 * the window. A flow row's check ranges count where the flow row has an observation in the window
 * (its bucket, the minute of its first one, from since's minute on, and its last one at or after
 * since), whole: a range has no times of its own, only the flow row's. Each range is the flow
 * row's judged observations from its start to the next row of the same policy (or to all judged so
 * far). A flow row gone before its checks (FLOW_RETENTION_DAYS shorter than
 * VERDICT_RETENTION_DAYS) counts where its bucket is, with what its first judgement judged.
 */
export function reportSql(q: EnforcementQuery): { text: string; params: unknown[] } {
  const since = q.since.getTime();
  const params: unknown[] = [q.since, q.until, new Date(since - (((since % MINUTE_MS) + MINUTE_MS) % MINUTE_MS))];
  const filters: string[] = [];
  if (q.namespace !== undefined) {
    params.push(q.namespace);
    filters.push(`AND policy_namespace = $${params.length}`);
  }
  if (q.policy !== undefined) {
    params.push(q.policy);
    filters.push(`AND policy_name = $${params.length}`);
  }
  const filter = filters.join(' ');
  params.push(q.limit + 1);
  const sum = (state: string): string => `coalesce(sum(n) FILTER (WHERE state = '${state}'), 0) AS ${state}`;
  return {
    text: `WITH ranges AS (
      SELECT c.*, lead(from_judged) OVER (PARTITION BY flow_id, observed_at, policy_uid, policy_namespace, policy_name ORDER BY from_judged) AS to_judged
      FROM enforcement_checks c WHERE from_judged IS NOT NULL AND observed_at >= $3 AND observed_at < $2 ${filter}
    ), counted AS (
      SELECT ${IDENTITY}, policy_generation, state, count AS n, observed_at AS first_seen, observed_at AS last_seen
      FROM enforcement_checks WHERE from_judged IS NULL AND observed_at >= $1 AND observed_at < $2 ${filter}
      UNION ALL
      SELECT ${IDENTITY.replace(/(\w+)/g, 'r.$1')}, r.policy_generation, r.state,
        greatest(coalesce(r.to_judged, f.count - f.pending, r.from_judged + r.count) - r.from_judged, 0) AS n,
        coalesce(f.first_seen, r.observed_at) AS first_seen, coalesce(f.last_seen, r.observed_at) AS last_seen
      FROM ranges r LEFT JOIN LATERAL (
        -- Flow ids are unique across partitions: one probe of flows_id per range, whatever the
        -- statistics say (on a fresh table the planner would also scan the bucket's flows for
        -- each range, and a plain join could read every flow row of the window for each).
        SELECT count, pending, first_seen, last_seen FROM flows WHERE id = r.flow_id LIMIT 1
      ) f ON true
      -- The bucket bound above keeps since's whole minute; a flow row of that minute last observed
      -- before since has nothing in the window.
      WHERE r.predicted <> '' AND (f.last_seen IS NULL OR f.last_seen >= $1)
    )
    SELECT policy_uid, policy_namespace, policy_name, max(policy_generation) AS generation, direction, predicted,
      src_namespace, src_pod, host(src_ip) AS src_ip, dst_namespace, dst_pod, host(dst_ip) AS dst_ip, port, protocol,
      ${['established', 'attempt', 'refused', 'seen'].map(sum).join(', ')}, min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM counted
    GROUP BY ${IDENTITY}
    HAVING sum(n) > 0 ${q.mismatches === true ? `AND (${MISMATCH_HAVING})` : ''}
    ORDER BY max(last_seen) DESC, policy_namespace, policy_name, src_namespace, src_pod, dst_namespace, dst_pod, port
    LIMIT $${params.length}`,
    params,
  };
}

function toRow(r: ReportRow): EnforcementRow {
  const o: Observed = {
    predicted: r.predicted === 'Deny' ? 'Deny' : 'Allow',
    protocol: r.protocol as Protocol,
    direction: r.direction as Direction,
    counts: { established: Number(r.established), attempt: Number(r.attempt), refused: Number(r.refused), seen: Number(r.seen) },
  };
  const outcome = classify(o);
  return {
    policy: { uid: r.policy_uid, namespace: r.policy_namespace, name: r.policy_name, generation: Number(r.generation) },
    direction: o.direction,
    src: { namespace: r.src_namespace, pod: r.src_pod, ip: r.src_ip },
    dst: { namespace: r.dst_namespace, pod: r.dst_pod, ip: r.dst_ip },
    port: r.port,
    protocol: o.protocol,
    predicted: o.predicted,
    observed: o.counts,
    outcome,
    explanation: explain(o, outcome),
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
  };
}

export async function enforcementReport(db: Queryable, q: EnforcementQuery): Promise<EnforcementReport> {
  const { text, params } = reportSql(q);
  const r = await db.query<ReportRow>(text, params);
  return {
    since: q.since.toISOString(),
    until: q.until.toISOString(),
    rows: r.rows.slice(0, q.limit).map(toRow),
    truncated: r.rows.length > q.limit,
  };
}
