/**
 * Builders for generator tests: Kubernetes objects as `kubectl get -o yaml` would list them, in
 * one line each, and a one-call `gen` over them, so table rows stay short.
 */
import type { Flow } from '../../../policy/index.js';
import { loadFlows, type LineFlow } from '../../audit-test/load-flows.js';
import { generate, type GenResult } from '../generate.js';
import { loadSnapshot } from '../snapshot.js';
import type { GenCluster, GenSettings } from '../types.js';
import { groupWorkloads } from '../workloads.js';

type Obj = Record<string, unknown>;

export interface PodOpts {
  labels?: Record<string, string>;
  ips?: string[];
  owner?: readonly [kind: string, name: string];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  hostNetwork?: boolean;
  hostIP?: string;
}

function split(ref: string): [string, string] {
  const [ns, name] = ref.split('/') as [string, string];
  return [ns, name];
}

export function pod(ref: string, o: PodOpts = {}): Obj {
  const [namespace, name] = split(ref);
  const ownerReferences = o.owner ? [{ apiVersion: 'apps/v1', kind: o.owner[0], name: o.owner[1], controller: true }] : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: o.labels ?? {}, ...(ownerReferences ? { ownerReferences } : {}) },
    spec: { hostNetwork: o.hostNetwork === true, containers: [{ name: 'c', ports: o.ports ?? [] }] },
    status: { phase: 'Running', ...(o.hostIP ? { hostIP: o.hostIP } : {}), podIPs: (o.ips ?? []).map((ip) => ({ ip })) },
  };
}

/** A controller (Deployment, StatefulSet, DaemonSet, Job, ReplicaSet) with pod-template labels and an optional owner. */
export function controller(kind: string, ref: string, templateLabels: Record<string, string>, owner?: readonly [string, string]): Obj {
  const [namespace, name] = split(ref);
  const ownerReferences = owner ? [{ kind: owner[0], name: owner[1], controller: true }] : undefined;
  return { apiVersion: 'apps/v1', kind, metadata: { name, namespace, ...(ownerReferences ? { ownerReferences } : {}) }, spec: { template: { metadata: { labels: templateLabels } } } };
}

export function namespace(name: string): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function node(name: string, ...addresses: string[]): Obj {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: addresses.map((address) => ({ type: 'InternalIP', address })) } };
}

export function clusterOf(items: readonly Obj[]): { snapshot: ReturnType<typeof loadSnapshot>; cluster: GenCluster } {
  const snapshot = loadSnapshot({ name: 'cluster.yaml', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  return { snapshot, cluster: groupWorkloads(snapshot) };
}

export interface TimedFlow extends Flow {
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
}

export function flowLines(flows: readonly TimedFlow[]): LineFlow[] {
  return loadFlows({ name: 'flows.jsonl', text: flows.map((f) => JSON.stringify(f)).join('\n') });
}

export const SETTINGS: GenSettings = { kind: 'AuditNetworkPolicy', aggregateV4: 32, aggregateV6: 128, minFlows: 1, recentAfter: undefined, source: 'test' };

/** Generates for every workload (or those of `targets`, as "ns/kind/name"). */
export function gen(items: readonly Obj[], flows: readonly TimedFlow[], settings: Partial<GenSettings> = {}, targets?: readonly string[]): GenResult {
  const { snapshot, cluster } = clusterOf(items);
  const chosen = cluster.workloads.filter((w) => targets === undefined || targets.includes(`${w.namespace}/${w.kind.toLowerCase()}/${w.name}`));
  return generate({ namespaces: snapshot.namespaces, pods: snapshot.pods.map((p) => p.info), cluster, targets: chosen, flows: flowLines(flows), settings: { ...SETTINGS, ...settings } });
}

/** A flow between "ns/pod" or IP ends. */
export function f(src: string, dst: string, protocol: Flow['protocol'] = 'TCP', port = 80, extra: Partial<TimedFlow> = {}): TimedFlow {
  const end = (t: string): Flow['src'] => (t.includes('/') && !t.includes(':') && !/^\d/.test(t) ? { namespace: t.split('/')[0], pod: t.split('/')[1] } : { ip: t });
  return { src: end(src), dst: end(dst), protocol, port, ...extra };
}
