/**
 * Types of the policy generator: the workloads it finds in a cluster snapshot, the flow ends it
 * resolves against them, the rules it derives and the policies it emits. The generator is pure
 * (snapshot + flows in, policies + notes out); reading files, the cluster and the broker is the
 * command's business.
 */
import type { NetworkPolicySpec, PodInfo, Protocol } from '../../policy/index.js';

/**
 * The controller a pod is grouped under: Deployment, StatefulSet, DaemonSet, Job, CronJob,
 * ReplicaSet, the kind of any other owner, or Pod for a pod with no owner.
 */
export type WorkloadKind = string;

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** The stable labels of the pod template (or, without the controller object, shared by all its pods). */
  selector: Record<string, string>;
  pods: PodInfo[];
  /** Every pod uses the host network: NetworkPolicy cannot select it. */
  hostNetwork: boolean;
}

/** "prod/deployment/payments". */
export function workloadId(w: Pick<Workload, 'kind' | 'namespace' | 'name'>): string {
  return `${w.namespace}/${w.kind.toLowerCase()}/${w.name}`;
}

/** The cluster as the generator needs it. */
export interface GenCluster {
  workloads: Workload[];
  /** Pod key "ns/name" -> its workload. */
  workloadOfPod: Map<string, Workload>;
  /** Pod-network pod IP -> pod key. */
  podByIp: Map<string, string>;
  /** Node addresses (canonical IP text): Node objects, pods' hostIP and hostNetwork pods' IPs. */
  nodeAddresses: Set<string>;
  namespaces: Set<string>;
}

/** One end of an observed flow, as the generator classifies it. */
export type PeerEnd =
  | { kind: 'pod'; workload: Workload; pod: PodInfo }
  /** A node, or a pod on the host network (kubelet probes come from the node). */
  | { kind: 'node'; ip: string }
  | { kind: 'external'; ip: string };

/** When and how often, summed over the flows a rule stands for. */
export interface Provenance {
  flows: number;
  /** Milliseconds since the epoch; undefined when the input did not say. */
  first: number | undefined;
  last: number | undefined;
}

export interface GenPort {
  protocol: Protocol;
  /** The destination container's port name where it declares one, else the number. */
  port: number | string;
}

/** A rule's peer before it is written as a NetworkPolicyPeer. */
export type GenPeer =
  /** Pods of these workloads (one selector can stand for several), in their namespace. */
  | { kind: 'workload'; namespace: string; selector: Record<string, string>; workloads: string[] }
  | { kind: 'nodes'; cidrs: string[] }
  | { kind: 'cidr'; cidr: string };

export interface GenRule {
  peer: GenPeer;
  ports: GenPort[];
  provenance: Provenance;
  /** Why the rule looks as it does, when that is not obvious (node addresses, DNS over TCP). */
  notes: string[];
}

export type GenKind = 'AuditNetworkPolicy' | 'NetworkPolicy';
export const GEN_KINDS: readonly GenKind[] = ['AuditNetworkPolicy', 'NetworkPolicy'];

export interface GenSettings {
  kind: GenKind;
  /** Prefix length external IPv4 peers are widened to (32: not at all). */
  aggregateV4: number;
  /** Prefix length external IPv6 peers are widened to (128: not at all). */
  aggregateV6: number;
  /** Fewer flows than this for a workload draws a thin-evidence warning. */
  minFlows: number;
  /** A workload first seen later than this (ms since the epoch) draws a thin-evidence warning. */
  recentAfter: number | undefined;
  /** Describes the window in annotations, e.g. "broker flows since 7d". */
  source: string;
}

export interface GeneratedPolicy {
  workload: Workload;
  object: { apiVersion: string; kind: GenKind; metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> }; spec: NetworkPolicySpec };
  ingress: GenRule[];
  egress: GenRule[];
  /** Every flow the workload was seen in, both directions. */
  provenance: Provenance;
}
