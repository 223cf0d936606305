/**
 * Builders of raw Kubernetes objects as the API server sends them, for tests and benchmarks of
 * the model that feed a ClusterIndex directly.
 */
import type { ClusterNetworkPolicySpec, PolicyKind } from '../cluster/engine.js';

type Raw = Record<string, unknown>;

export function namespaceObject(name: string, labels: Record<string, string> = {}): Raw {
  return { metadata: { name, uid: `ns-${name}`, resourceVersion: '1', labels } };
}

export interface PodOptions {
  labels?: Record<string, string>;
  ips?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  uid?: string;
  /** ISO time of creation. */
  created?: string;
  hostNetwork?: boolean;
  phase?: string;
}

export function podObject(namespace: string, name: string, o: PodOptions = {}): Raw {
  const ips = o.ips ?? [];
  return {
    metadata: { namespace, name, uid: o.uid ?? `uid-${namespace}-${name}`, labels: o.labels ?? {}, ...(o.created ? { creationTimestamp: o.created } : {}) },
    spec: { hostNetwork: o.hostNetwork ?? false, containers: [{ name: 'main', ports: o.ports ?? [] }] },
    status: { phase: o.phase ?? 'Running', ...(ips[0] ? { podIP: ips[0] } : {}), podIPs: ips.map((ip) => ({ ip })) },
  };
}

export interface ServicePortSpec {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

export function serviceObject(namespace: string, name: string, clusterIPs: string[], ports: ServicePortSpec[]): Raw {
  return { metadata: { namespace, name }, spec: { clusterIP: clusterIPs[0], clusterIPs, ports: ports.map((p) => ({ name: p.name ?? '', protocol: 'TCP', ...p })) } };
}

export interface SliceEndpointSpec {
  ip: string;
  pod?: string;
  ready?: boolean;
}

/** What an EndpointSlice lists: its endpoints, its ports, and the family of its addresses (IPv4 when absent). */
export interface SliceContents {
  endpoints: SliceEndpointSpec[];
  ports: { name?: string; port: number; protocol?: string }[];
  addressType?: 'IPv4' | 'IPv6';
}

export function sliceObject(namespace: string, name: string, service: string, contents: SliceContents): Raw {
  const { endpoints, ports, addressType = 'IPv4' } = contents;
  return {
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: e.ready === undefined ? {} : { ready: e.ready },
      ...(e.pod ? { targetRef: { kind: 'Pod', namespace, name: e.pod } } : {}),
    })),
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** A policy object's generation (1 when absent) and uid (derived from kind, namespace and name when absent). */
export interface PolicyMeta {
  generation?: number;
  uid?: string;
  /** ISO time of creation (creationTimestamp); none when absent. */
  created?: string;
  /** ISO times of its managedFields entries (when each field manager last wrote it); none when absent. */
  written?: string[];
}

export function policyObject(kind: PolicyKind, namespace: string, name: string, spec: ClusterNetworkPolicySpec, meta: PolicyMeta = {}): Raw {
  const { generation = 1, uid = `uid-${kind}-${namespace}-${name}` } = meta;
  const metadata: Raw = { name, uid, generation, resourceVersion: String(generation) };
  if (meta.created !== undefined) metadata.creationTimestamp = meta.created;
  if (meta.written !== undefined) metadata.managedFields = meta.written.map((time, i) => ({ manager: `manager-${i}`, operation: 'Update', time }));
  if (kind !== 'AuditClusterNetworkPolicy') metadata.namespace = namespace;
  return { kind, metadata, spec };
}
