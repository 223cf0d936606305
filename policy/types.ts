/**
 * Types of the policy engine: the raw Kubernetes shapes it accepts, the cluster model it
 * keeps, the flows it judges and the verdicts it returns. The raw shapes mirror
 * networking.k8s.io/v1 exactly; everything after compilation lives in compiled.ts. A flow's end is
 * the one flow-end shape of contracts/flow-end.ts (a type-only import: the engine runs without it).
 */
import type { FlowEndName } from '../contracts/flow-end.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export type Direction = 'Ingress' | 'Egress';
export const DIRECTIONS: readonly Direction[] = ['Ingress', 'Egress'];

export type PolicyKind = 'NetworkPolicy' | 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy';
export const POLICY_KINDS: readonly PolicyKind[] = ['NetworkPolicy', 'AuditNetworkPolicy', 'AuditClusterNetworkPolicy'];

export type Labels = Readonly<Record<string, string>>;

// ---- Raw Kubernetes shapes (as read from YAML or the API server) ----

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

/** AuditClusterNetworkPolicy's spec: a NetworkPolicy spec plus the namespaces it covers. */
export interface ClusterNetworkPolicySpec extends NetworkPolicySpec {
  namespaceSelector?: LabelSelector;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PolicyObject {
  apiVersion?: string;
  kind: PolicyKind;
  metadata: ObjectMeta;
  spec: ClusterNetworkPolicySpec;
}

// ---- Cluster model ----

export interface NamespaceInfo {
  name: string;
  labels: Labels;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

export interface PodInfo {
  namespace: string;
  name: string;
  uid?: string;
  labels: Labels;
  /** Pod IPs, primary first; IPv4 and IPv6 in any order. */
  ips: readonly string[];
  ports: readonly ContainerPort[];
  /** hostNetwork pods are never selected by a policy and match peers only through ipBlock. */
  hostNetwork: boolean;
}

export interface PodRef {
  namespace: string;
  pod: string;
}

// ---- Flows ----

/**
 * An end the engine identifies itself: the name of a flow end (contracts/flow-end.ts: an IP, a
 * pod, or both; a missing pod is absent, never ''), its address optional because `audit test`
 * may name an end by its pod alone. The pod as stamped at observation time wins; otherwise the
 * pod holding the address now. `kind` is left out: a FlowEnd's `kind` (the agent's guess at who
 * owns the address) means something else, so one is not an engine end without endName().
 */
export type NamedEnd = Partial<Pick<FlowEndName, 'ip'>> & Omit<FlowEndName, 'ip'> & { kind?: never };

/**
 * An address no pod owned when the flow happened (a recorded flow judged later, when a pod may
 * hold the address now): the end is judged by its address alone, never looked up, and reasons
 * say why (explain.ts).
 */
export interface UnownedAddress {
  kind: 'unowned';
  ip: string;
}

/** One end of a flow as the engine judges it. */
export type FlowEndpoint = NamedEnd | UnownedAddress;

/** A flow; `End` narrows what its ends may be (a wire request's ends are never UnownedAddress). */
export interface Flow<End extends FlowEndpoint = FlowEndpoint> {
  src: End;
  dst: End;
  protocol: Protocol;
  /** Destination port (1-65535). */
  port: number;
}

// ---- Verdicts ----

export type Verdict = 'Allow' | 'WouldDeny';
export type DirectionOutcome = 'Allow' | 'Deny' | 'NotSelected';

export interface PolicyRef {
  kind: PolicyKind;
  /** '' for cluster-scoped policies. */
  namespace: string;
  name: string;
  uid?: string;
  generation?: number;
}

export interface PolicyVerdict {
  /** "NS/NAME", or "NAME" for a cluster-scoped policy. */
  policy: string;
  kind: PolicyKind;
  direction: Direction;
  verdict: Verdict;
  /** Index of the rule that allowed the flow; absent when none did. */
  rule?: number;
  reason: string;
  ref: PolicyRef;
}

export interface EffectiveVerdict {
  ingress: DirectionOutcome;
  egress: DirectionOutcome;
  allowed: boolean;
}

export interface FlowEvaluation {
  src: PodRef | null;
  dst: PodRef | null;
  /** Sorted by direction (Egress first), kind, policy: stable across runs. */
  verdicts: PolicyVerdict[];
  /** What the cluster would do with the enforced and the audit policies all enforced together. */
  effective: EffectiveVerdict;
  /** What the cluster does today, with only the enforced NetworkPolicies. */
  enforced: EffectiveVerdict;
  /** Why an end could not be identified, when it could not. */
  notes: string[];
}
