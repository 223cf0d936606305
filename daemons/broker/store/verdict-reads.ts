/**
 * The read side of audit_verdicts: the paged list, the stream's "what is new since id N", and the
 * summary. Every filter becomes an equality or range predicate on an indexed column (see the
 * indexes in migrations.ts); values are always parameters.
 */
import type { Queryable } from './sql-client.js';
import { toVerdict, VERDICT_COLUMNS, type VerdictRow } from './rows.js';
import type { Offender, StoredVerdict, Summary, VerdictFilter, VerdictPage, VerdictPageQuery } from './types.js';
import type { Direction, Protocol } from '../../../policy/types.js';
import { FLOW_STATES } from '../../../contracts/flow-batch.js';
import type { OffenderStates, VerdictState } from '../../../contracts/broker-api.js';

/** The `before_id` cursor names a verdict that does not exist (never did, or retention dropped it). */
export class UnknownCursorError extends Error {
  constructor(readonly id: number) {
    super(`no verdict with id ${id} (it never existed or has expired)`);
    this.name = 'UnknownCursorError';
  }
}

/** SQL conditions for a filter; pushes their values onto `params`. */
export function filterConditions(f: VerdictFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.policy !== undefined) add('policy_name = ?', f.policy);
  if (f.uid !== undefined) add('policy_uid = ?', f.uid);
  if (f.generation !== undefined) add('policy_generation = ?', f.generation);
  if (f.namespace !== undefined) add('policy_namespace = ?', f.namespace);
  if (f.verdict !== undefined) add('verdict = ?', f.verdict);
  if (f.direction !== undefined) add('direction = ?', f.direction);
  if (f.state !== undefined) add('state = ?', f.state);
  if (f.since !== undefined) add('observed_at >= ?', f.since);
  if (f.until !== undefined) add('observed_at < ?', f.until);
  // The highest generation stored for the row's policy uid, whatever the other filters: after an
  // edit, the old generation's verdicts leave the answer as soon as the new one has any (the
  // evaluator replays the window for it). One index-only lookup per uid (audit_verdicts_uid).
  if (f.latestGeneration === true) where.push('policy_generation = (SELECT max(g.policy_generation) FROM audit_verdicts g WHERE g.policy_uid = audit_verdicts.policy_uid)');
  return where;
}

const whereSql = (conds: string[]): string => (conds.length ? `WHERE ${conds.join(' AND ')}` : '');

/** The SQL of one page, exported for the EXPLAIN test. */
export function verdictPageSql(q: VerdictPageQuery, cursorTime: string | undefined): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds = filterConditions(q, params);
  if (q.beforeId !== undefined && cursorTime !== undefined) {
    params.push(cursorTime, q.beforeId);
    conds.push(`(observed_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(q.limit + 1);
  return {
    text: `SELECT ${VERDICT_COLUMNS} FROM audit_verdicts ${whereSql(conds)} ORDER BY observed_at DESC, id DESC LIMIT $${params.length}`,
    params,
  };
}

export async function listVerdicts(db: Queryable, q: VerdictPageQuery): Promise<VerdictPage> {
  let cursorTime: string | undefined;
  if (q.beforeId !== undefined) {
    // The time travels as text so the comparison keeps PostgreSQL's microseconds.
    const c = await db.query<{ t: string }>('SELECT observed_at::text AS t FROM audit_verdicts WHERE id = $1 LIMIT 1', [q.beforeId]);
    cursorTime = c.rows[0]?.t;
    if (cursorTime === undefined) throw new UnknownCursorError(q.beforeId);
  }
  const { text, params } = verdictPageSql(q, cursorTime);
  const r = await db.query<VerdictRow>(text, params);
  const verdicts = r.rows.slice(0, q.limit).map(toVerdict);
  const more = r.rows.length > q.limit;
  return { verdicts, nextBeforeId: more ? (verdicts.at(-1)?.id ?? null) : null };
}

export async function verdictsAfter(db: Queryable, afterId: number, f: VerdictFilter, limit: number, upToId?: number): Promise<StoredVerdict[]> {
  const params: unknown[] = [];
  const conds = filterConditions(f, params);
  params.push(afterId);
  conds.push(`id > $${params.length}`);
  if (upToId !== undefined) {
    params.push(upToId);
    conds.push(`id <= $${params.length}`);
  }
  params.push(limit);
  const r = await db.query<VerdictRow>(
    `SELECT ${VERDICT_COLUMNS} FROM audit_verdicts ${whereSql(conds)} ORDER BY id LIMIT $${params.length}`,
    params,
  );
  return r.rows.map(toVerdict);
}

export async function lastVerdictId(db: Queryable): Promise<number> {
  const r = await db.query<{ id: string | number | null }>('SELECT max(id) AS id FROM audit_verdicts');
  return Number(r.rows[0]?.id ?? 0);
}

/** An offender is a verdict row reduced to its endpoints, summed over the window. */
type OffenderRow = Pick<VerdictRow, 'src_namespace' | 'src_pod' | 'src_ip' | 'dst_namespace' | 'dst_pod' | 'dst_ip' | 'port' | 'protocol' | 'direction' | 'count'> & {
  last_seen: Date;
} & Partial<Record<`state_${VerdictState}`, string | number | null>>;

/** The column values per state: '' is a verdict stored before the state was kept (rows.ts). */
const OFFENDER_STATES: readonly { state: VerdictState; value: string }[] = [...FLOW_STATES.map((s) => ({ state: s, value: s })), { state: 'unknown', value: '' }];

/** One sum per state beside the offender's total (constants, not user input). */
const STATE_SUMS = OFFENDER_STATES.map(({ state, value }) => `coalesce(sum(count) FILTER (WHERE state = '${value}'), 0) AS state_${state}`).join(', ');

/**
 * Where pod IPs live: an end at one of these addresses without a stamped pod is a peer whose
 * identity is unknown (the policy cannot be judged by its pod selectors). Public addresses are
 * external and judged by ipBlock, so they do not count. IPv6 link-local addresses (fe80::/10)
 * never leave their link, so one is a pod or a node the agent could not name, never an external
 * peer, though no pod lists it in status.podIPs. Constants, not user input.
 */
export const PRIVATE_NETS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10'] as const;

const inPrivateNet = (col: string): string => `(${PRIVATE_NETS.map((n) => `${col} <<= inet '${n}'`).join(' OR ')})`;

/** The peer is the source of an Ingress verdict and the destination of an Egress one. */
const UNIDENTIFIED_PEER = `CASE WHEN direction = 'Ingress' THEN src_pod = '' AND ${inPrivateNet('src_ip')}
  ELSE dst_pod = '' AND ${inPrivateNet('dst_ip')} END`;

/** The summary's two statements (totals per verdict with the unidentified peers among them, top WouldDeny offenders), exported for the EXPLAIN test. */
export function summarySql(f: VerdictFilter, top: number): { totals: string; offenders: string; params: unknown[]; offenderParams: unknown[] } {
  const params: unknown[] = [];
  const conds = filterConditions(f, params);
  const offenderParams = [...params, top];
  return {
    totals: `SELECT verdict, sum(count) AS n, coalesce(sum(count) FILTER (WHERE ${UNIDENTIFIED_PEER}), 0) AS unidentified FROM audit_verdicts ${whereSql(conds)} GROUP BY verdict`,
    offenders: `SELECT src_namespace, src_pod, host(src_ip) AS src_ip, dst_namespace, dst_pod, host(dst_ip) AS dst_ip, port, protocol,
       direction, sum(count) AS count, max(observed_at) AS last_seen, ${STATE_SUMS}
     FROM audit_verdicts ${whereSql([...conds, `verdict = 'WouldDeny'`])}
     GROUP BY src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol, direction
     ORDER BY sum(count) DESC, src_namespace, src_pod, dst_namespace, dst_pod, port LIMIT $${offenderParams.length}`,
    params,
    offenderParams,
  };
}

function toOffender(r: OffenderRow): Offender {
  return {
    src: { namespace: r.src_namespace, pod: r.src_pod, ip: r.src_ip },
    dst: { namespace: r.dst_namespace, pod: r.dst_pod, ip: r.dst_ip },
    port: r.port,
    protocol: r.protocol as Protocol,
    direction: r.direction as Direction,
    count: Number(r.count),
    lastSeen: r.last_seen.toISOString(),
    states: offenderStates(r),
  };
}

function offenderStates(r: OffenderRow): OffenderStates {
  const out: OffenderStates = {};
  for (const { state } of OFFENDER_STATES) {
    const n = Number(r[`state_${state}`] ?? 0);
    if (n > 0) out[state] = n;
  }
  return out;
}

export async function summary(db: Queryable, f: VerdictFilter, top: number): Promise<Summary> {
  const sql = summarySql(f, top);
  const totals = await db.query<{ verdict: string; n: string | number; unidentified: string | number }>(sql.totals, sql.params);
  const offenders = await db.query<OffenderRow>(sql.offenders, sql.offenderParams);
  const count = (v: string): number => Number(totals.rows.find((r) => r.verdict === v)?.n ?? 0);
  const unidentifiedPeers = totals.rows.reduce((n, r) => n + Number(r.unidentified), 0);
  return { allow: count('Allow'), wouldDeny: count('WouldDeny'), unidentifiedPeers, topOffenders: offenders.rows.map(toOffender) };
}
