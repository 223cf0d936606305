/**
 * `enforcement_checks`: what the enforced NetworkPolicies predicted for each judged observation,
 * written with the audit verdicts in completeClaim's transaction, and the report that sums a
 * flow's checks over a window per policy (GET /v1/enforcement). Values are always parameters.
 */
import type { EnforcementReport, EnforcementRow } from '../../../contracts/enforcement.js';
import type { Direction, Protocol } from '../../../policy/types.js';
import { classify, explain, MIN_FAILURES, type EnforcementCheck, type Observed } from '../verify/enforcement.js';
import { transpose } from './columns.js';
import type { Queryable } from './sql-client.js';
import type { StoredFlow } from '../../../contracts/broker-api.js';
import { endIdentity } from './verdict-insert.js';
import type { PodRef } from '../../../policy/types.js';

/** One check to store: the flow row, the conversations it stands for, and the check. */
export interface CheckInsert {
  flow: StoredFlow;
  count: number;
  check: EnforcementCheck;
  resolved?: { src: PodRef | null; dst: PodRef | null };
}

const CHECK_INSERT = `
INSERT INTO enforcement_checks (observed_at, flow_id, policy_uid, policy_namespace, policy_name, policy_generation, direction,
  predicted, state, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, count)
SELECT * FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[],
  $9::text[], $10::text[], $11::text[], $12::inet[], $13::text[], $14::text[], $15::inet[], $16::int[], $17::text[], $18::bigint[])`;

export async function insertChecks(tx: Queryable, rows: readonly CheckInsert[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(({ flow: f, count, check: c, resolved }) => {
    const [srcNs, srcPod] = endIdentity(f.src, resolved?.src);
    const [dstNs, dstPod] = endIdentity(f.dst, resolved?.dst);
    return [f.lastSeen, f.id, c.policy.uid, c.policy.namespace, c.policy.name, c.policy.generation, f.direction, c.predicted, f.state,
      srcNs, srcPod, f.src.ip, dstNs, dstPod, f.dst.ip, f.dst.port, f.protocol, count];
  });
  await tx.query(CHECK_INSERT, transpose(values, 18));
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
const MISMATCH_HAVING = `(predicted = 'Deny' AND (coalesce(sum(count) FILTER (WHERE state = 'established'), 0) > 0
    OR (direction = 'Ingress' AND coalesce(sum(count) FILTER (WHERE state = 'seen'), 0) > 0)))
  OR (predicted = 'Allow' AND coalesce(sum(count) FILTER (WHERE state IN ('established', 'seen')), 0) = 0
    AND coalesce(sum(count) FILTER (WHERE state IN ('attempt', 'refused')), 0) >= ${String(MIN_FAILURES)})`;

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

/** The report's statement, exported for the EXPLAIN test. */
export function reportSql(q: EnforcementQuery): { text: string; params: unknown[] } {
  const params: unknown[] = [q.since, q.until];
  const where = ['observed_at >= $1', 'observed_at < $2'];
  if (q.namespace !== undefined) {
    params.push(q.namespace);
    where.push(`policy_namespace = $${params.length}`);
  }
  if (q.policy !== undefined) {
    params.push(q.policy);
    where.push(`policy_name = $${params.length}`);
  }
  params.push(q.limit + 1);
  const sum = (state: string): string => `coalesce(sum(count) FILTER (WHERE state = '${state}'), 0) AS ${state}`;
  return {
    text: `SELECT policy_uid, policy_namespace, policy_name, max(policy_generation) AS generation, direction, predicted,
      src_namespace, src_pod, host(src_ip) AS src_ip, dst_namespace, dst_pod, host(dst_ip) AS dst_ip, port, protocol,
      ${['established', 'attempt', 'refused', 'seen'].map(sum).join(', ')}, min(observed_at) AS first_seen, max(observed_at) AS last_seen
    FROM enforcement_checks WHERE ${where.join(' AND ')}
    GROUP BY policy_uid, policy_namespace, policy_name, direction, predicted, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol
    ${q.mismatches === true ? `HAVING ${MISMATCH_HAVING}` : ''}
    ORDER BY max(observed_at) DESC, policy_namespace, policy_name, src_namespace, src_pod, dst_namespace, dst_pod, port
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
