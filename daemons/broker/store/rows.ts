/**
 * Column lists and row mappers shared by the store's queries. Both drivers return timestamptz as
 * Date, but bigint differently (`pg` as string, PGlite as number), hence Number() everywhere.
 */
import type { Direction, PolicyKind, Protocol, Verdict } from '../../../policy/types.js';
import type { FlowObservation } from '../../../contracts/flow-batch.js';
import type { EndpointKind, FlowEnd } from '../../../contracts/flow-end.js';
import type { StoredFlow, StoredVerdict } from './types.js';

const FLOW_FIELDS = ['id', 'bucket', 'first_seen', 'last_seen', 'src_ip', 'src_port', 'src_kind', 'src_namespace', 'src_pod',
  'src_pod_uid', 'dst_ip', 'dst_port', 'dst_kind', 'dst_namespace', 'dst_pod', 'dst_pod_uid', 'protocol', 'direction',
  'state', 'node', 'count'];

/** The select list of a FlowRow, its columns qualified by `alias` when given. */
export function flowColumns(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return FLOW_FIELDS.map((c) => (c.endsWith('_ip') ? `host(${p}${c}) AS ${c}` : `${p}${c}`)).join(', ');
}

export const VERDICT_COLUMNS = `id, observed_at, evaluated_at, flow_id, policy_uid, policy_kind, policy_namespace,
  policy_name, policy_generation, direction, verdict, src_namespace, src_pod, host(src_ip) AS src_ip, dst_namespace,
  dst_pod, host(dst_ip) AS dst_ip, port, protocol, reason, count, state`;

export interface FlowRow {
  id: string | number;
  bucket: Date;
  first_seen: Date;
  last_seen: Date;
  src_ip: string;
  src_port: number;
  src_kind: string;
  src_namespace: string;
  src_pod: string;
  src_pod_uid: string;
  dst_ip: string;
  dst_port: number;
  dst_kind: string;
  dst_namespace: string;
  dst_pod: string;
  dst_pod_uid: string;
  protocol: string;
  direction: string;
  state: string;
  node: string;
  count: string | number;
}

export interface VerdictRow {
  id: string | number;
  observed_at: Date;
  evaluated_at: Date;
  flow_id: string | number;
  policy_uid: string;
  policy_kind: string;
  policy_namespace: string;
  policy_name: string;
  policy_generation: string | number;
  direction: string;
  verdict: string;
  src_namespace: string;
  src_pod: string;
  src_ip: string;
  dst_namespace: string;
  dst_pod: string;
  dst_ip: string;
  port: number;
  protocol: string;
  reason: string;
  count: string | number;
  state: string;
}

/**
 * One end of a flow row as a FlowEnd: the row's key columns hold '' for an identity the agent did
 * not stamp (NOT NULL, so the unique key treats two unnamed ends alike); a FlowEnd leaves it out.
 */
function endOf(r: FlowRow, side: 'src' | 'dst'): FlowEnd {
  const e: FlowEnd = { ip: r[`${side}_ip`], port: r[`${side}_port`], kind: r[`${side}_kind`] as EndpointKind };
  const namespace = r[`${side}_namespace`];
  const pod = r[`${side}_pod`];
  const podUid = r[`${side}_pod_uid`];
  if (namespace !== '') e.namespace = namespace;
  if (pod !== '') e.pod = pod;
  if (podUid !== '') e.podUid = podUid;
  return e;
}

export function toFlow(r: FlowRow): StoredFlow {
  return {
    id: Number(r.id),
    bucket: r.bucket.toISOString(),
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    src: endOf(r, 'src'),
    dst: endOf(r, 'dst'),
    protocol: r.protocol as Protocol,
    direction: r.direction as Direction,
    state: r.state as FlowObservation['state'],
    node: r.node,
    count: Number(r.count),
  };
}

export function toVerdict(r: VerdictRow): StoredVerdict {
  return {
    id: Number(r.id),
    observedAt: r.observed_at.toISOString(),
    evaluatedAt: r.evaluated_at.toISOString(),
    flowId: Number(r.flow_id),
    policy: {
      uid: r.policy_uid,
      kind: r.policy_kind as PolicyKind,
      namespace: r.policy_namespace,
      name: r.policy_name,
      generation: Number(r.policy_generation),
    },
    direction: r.direction as Direction,
    verdict: r.verdict as Verdict,
    src: { namespace: r.src_namespace, pod: r.src_pod, ip: r.src_ip },
    dst: { namespace: r.dst_namespace, pod: r.dst_pod, ip: r.dst_ip },
    port: r.port,
    protocol: r.protocol as Protocol,
    reason: r.reason,
    count: Number(r.count),
    // '' marks a verdict stored before the state was kept, whose flow row was gone by then.
    state: r.state === '' ? 'unknown' : (r.state as FlowObservation['state']),
  };
}
