/**
 * The indexed cluster model the evaluator reads: namespaces and pods with their labels as
 * Maps and their addresses parsed once, and a flow end resolved against them. Built and kept
 * current by cluster-state.ts.
 */
import type { Address } from './address.js';
import type { LabelMap } from './selector.js';
import type { ContainerPort, PodInfo, PodRef } from './types.js';
import type { CompiledPolicy } from './compiled.js';

/** Upstream sets this label on every namespace; selectors on namespace names rely on it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NamespaceEntry {
  name: string;
  labels: LabelMap;
  /** False when the namespace is only known because a pod names it. */
  declared: boolean;
  pods: Set<PodEntry>;
}

export interface PodEntry {
  key: string;
  info: PodInfo;
  labels: LabelMap;
  namespace: NamespaceEntry;
  addresses: readonly Address[];
  /** Policies whose target selects this pod (never filled for hostNetwork pods). */
  selectedBy: Set<CompiledPolicy>;
  /** selectedBy as evaluation walks it; undefined when selectedBy changed since (see judged-policies.ts). */
  judged: JudgedPolicies | undefined;
}

/** The policies selecting a pod that have rules for each direction, sorted as verdicts are listed. */
export interface JudgedPolicies {
  egress: readonly CompiledPolicy[];
  ingress: readonly CompiledPolicy[];
}

/** How an end of a flow was identified. */
export type EndpointIdentity =
  /** A pod that policies can select and pod/namespace selectors can match. */
  | 'pod'
  /** A hostNetwork pod: policies do not select it and only ipBlock matches it. */
  | 'hostNetwork'
  /** An address no known pod owns (a node, a Service VIP, the outside world): only ipBlock matches. */
  | 'unknown'
  /** An address no pod owned at the flow's time (an UnownedAddress end), whoever holds it now: only ipBlock matches. */
  | 'unowned';

export interface ResolvedEndpoint {
  identity: EndpointIdentity;
  pod: PodEntry | undefined;
  address: Address | undefined;
  /** The address as an int32 when it is IPv4 (ipBlock tests on the hot path), else undefined. */
  v4: number | undefined;
  /** Text for reasons: "ns/pod" or the IP. */
  label: string;
  ref: PodRef | null;
  /** For a selectable pod, its judged policies per direction (judged-policies.ts); empty otherwise. */
  egress: readonly CompiledPolicy[];
  ingress: readonly CompiledPolicy[];
  /** A selectable pod's declared container ports (named ports resolve against them). */
  ports: readonly ContainerPort[] | undefined;
  /** The pod's namespace, '' when there is no pod. */
  namespace: string;
  /** Set when the flow named a pod that is not in the model. */
  missingPod?: string;
}
