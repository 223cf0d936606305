/**
 * Builders for engine tests: short ways to write namespaces, pods, policies and flows, so
 * table rows stay one line each. Used only by tests and benchmarks.
 */
import { ClusterState } from '../cluster-state.js';
import type { ClusterNetworkPolicySpec, ContainerPort, Flow, FlowEndpoint, PodInfo, PolicyKind, PolicyObject, Protocol } from '../types.js';

export interface PodOptions {
  labels?: Record<string, string>;
  ips?: string[];
  ports?: ContainerPort[];
  hostNetwork?: boolean;
}

export function podInfo(ref: string, opts: PodOptions = {}): PodInfo {
  const [namespace, name] = ref.split('/') as [string, string];
  return {
    namespace,
    name,
    labels: opts.labels ?? {},
    ips: opts.ips ?? [],
    ports: opts.ports ?? [],
    hostNetwork: opts.hostNetwork ?? false,
  };
}

/** A policy object; `ref` is "ns/name" for namespaced kinds and "name" for the cluster kind. */
export function policyObject(kind: PolicyKind, ref: string, spec: ClusterNetworkPolicySpec): PolicyObject {
  const slash = ref.indexOf('/');
  const name = slash === -1 ? ref : ref.slice(slash + 1);
  const namespace = slash === -1 ? 'default' : ref.slice(0, slash);
  const metadata = kind === 'AuditClusterNetworkPolicy' ? { name } : { name, namespace };
  const apiVersion = kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'kguardian.dev/v1alpha1';
  return { apiVersion, kind, metadata, spec };
}

export const np = (ref: string, spec: ClusterNetworkPolicySpec): PolicyObject => policyObject('NetworkPolicy', ref, spec);
export const anp = (ref: string, spec: ClusterNetworkPolicySpec): PolicyObject => policyObject('AuditNetworkPolicy', ref, spec);
export const acnp = (name: string, spec: ClusterNetworkPolicySpec): PolicyObject => policyObject('AuditClusterNetworkPolicy', name, spec);

/** An end of a flow: "ns/pod" names a pod; anything else is an IP. */
export function endpoint(text: string): FlowEndpoint {
  const slash = text.indexOf('/');
  if (slash > 0 && !text.includes(':') && !/^\d/.test(text)) return { namespace: text.slice(0, slash), pod: text.slice(slash + 1) };
  return { ip: text };
}

export function flow(src: string, dst: string, protocol: Protocol = 'TCP', port = 80): Flow {
  return { src: endpoint(src), dst: endpoint(dst), protocol, port };
}

export interface ClusterSpec {
  namespaces?: Record<string, Record<string, string>>;
  pods?: PodInfo[];
  policies?: PolicyObject[];
}

/** Builds a state and fails loudly if a policy does not compile: tests must not judge half a policy. */
export function buildState(spec: ClusterSpec): ClusterState {
  const state = new ClusterState();
  for (const [name, labels] of Object.entries(spec.namespaces ?? {})) state.upsertNamespace({ name, labels });
  for (const p of spec.pods ?? []) state.upsertPod(p);
  for (const p of spec.policies ?? []) {
    const result = state.upsertPolicy(p);
    const errors = result.problems.filter((x) => x.severity === 'error');
    if (errors.length > 0) throw new Error(`policy ${p.metadata.name} does not compile: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  return state;
}

/** A fresh state with the same namespaces, pods and policies, built in the usual order. */
export function rebuildState(state: ClusterState): ClusterState {
  const fresh = new ClusterState();
  for (const ns of state.listNamespaces().filter((n) => n.declared)) {
    const labels = Object.fromEntries([...ns.labels].filter(([k]) => k !== 'kubernetes.io/metadata.name'));
    fresh.upsertNamespace({ name: ns.name, labels });
  }
  for (const pod of state.listPods()) fresh.upsertPod(pod.info);
  for (const p of state.listPolicies()) fresh.upsertPolicy(p.source);
  return fresh;
}
