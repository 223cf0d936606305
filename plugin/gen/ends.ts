/**
 * Classifies the ends of observed flows against the snapshot, as the policy engine will: a pod on
 * the pod network (by name, or by IP when only the IP is known), a node (a node address, or a pod
 * on the host network), or an external address. A flow that names a pod the snapshot no longer
 * has cannot be judged against it (the engine would see an unknown pod): it is set aside and
 * counted, never guessed at.
 */
import type { NamedEnd, PodInfo } from '../../policy/index.js';
import { canonicalIp } from '../../policy/index.js';
import type { LineFlow } from '../audit-test/load-flows.js';
import type { GenCluster, PeerEnd } from './types.js';

export type ResolvedEnd = PeerEnd | { kind: 'gone'; pod: string };

export interface ResolvedFlow {
  input: LineFlow;
  src: PeerEnd;
  dst: PeerEnd;
}

export interface ResolvedFlows {
  flows: ResolvedFlow[];
  /** Lines naming a pod that is not in the snapshot, by the missing pod. */
  gone: Map<string, number>;
  /** Lines from a pod to itself: NetworkPolicy never applies to them. */
  loopback: number;
}

function podOf(cluster: GenCluster, key: string): { pod: PodInfo; end: PeerEnd } | undefined {
  const workload = cluster.workloadOfPod.get(key);
  const pod = workload?.pods.find((p) => `${p.namespace}/${p.name}` === key);
  if (!workload || !pod) return undefined;
  return { pod, end: { kind: 'pod', workload, pod } };
}

export function resolveEnd(cluster: GenCluster, end: NamedEnd): ResolvedEnd {
  const ip = end.ip === undefined ? undefined : canonicalIp(end.ip);
  if (end.namespace !== undefined && end.pod !== undefined) {
    const key = `${end.namespace}/${end.pod}`;
    const found = podOf(cluster, key);
    if (!found) return { kind: 'gone', pod: key };
    if (!found.pod.hostNetwork) return found.end;
    const address = ip ?? found.pod.ips[0];
    return address === undefined ? { kind: 'gone', pod: key } : { kind: 'node', ip: address };
  }
  // The flow loader refuses an end with neither; kept total for other callers.
  if (ip === undefined) return { kind: 'gone', pod: '(an end with no pod and no address)' };
  const key = cluster.podByIp.get(ip);
  const found = key === undefined ? undefined : podOf(cluster, key);
  if (found) return found.end;
  return cluster.nodeAddresses.has(ip) ? { kind: 'node', ip } : { kind: 'external', ip };
}

export function resolveFlows(cluster: GenCluster, flows: readonly LineFlow[]): ResolvedFlows {
  const out: ResolvedFlows = { flows: [], gone: new Map(), loopback: 0 };
  for (const input of flows) {
    const src = resolveEnd(cluster, input.flow.src);
    const dst = resolveEnd(cluster, input.flow.dst);
    const gone = src.kind === 'gone' ? src.pod : dst.kind === 'gone' ? dst.pod : undefined;
    if (gone !== undefined) out.gone.set(gone, (out.gone.get(gone) ?? 0) + 1);
    else if (src.kind === 'pod' && dst.kind === 'pod' && src.pod === dst.pod) out.loopback++;
    else out.flows.push({ input, src: src as PeerEnd, dst: dst as PeerEnd });
  }
  return out;
}
