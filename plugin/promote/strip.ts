/**
 * The audit object -> the NetworkPolicy it stands for. The spec is copied untouched; of the
 * metadata only what a user would have written is kept (name, namespace, labels, annotations
 * minus kubectl's last-applied-configuration). Everything the server sets is dropped, and so
 * are ownerReferences and finalizers: an owner of the audit object (a GitOps app, a chart)
 * would otherwise garbage-collect the enforced policy, and a finalizer nobody handles for the
 * new kind would block its deletion. A traceability annotation names the source and the
 * generation that was promoted.
 */
import type { AuditPolicy } from '../kube/objects.js';

export const PROMOTED_FROM = 'kguardian.dev/promoted-from';
export const PROMOTED_FROM_ACNP = 'kguardian.dev/promoted-from-acnp';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface NetworkPolicyObject {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** "AuditNetworkPolicy/prod/payments@4" or "AuditClusterNetworkPolicy/platform-deny@2". */
export function sourceRef(p: AuditPolicy): string {
  const path = p.metadata.namespace ? `${p.metadata.namespace}/${p.metadata.name}` : p.metadata.name;
  return `${p.kind}/${path}@${p.metadata.generation ?? 0}`;
}

function keptAnnotations(p: AuditPolicy): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata.annotations ?? {})) if (k !== LAST_APPLIED) out[k] = v;
  out[PROMOTED_FROM] = sourceRef(p);
  return out;
}

function build(name: string, namespace: string, labels: Record<string, string>, annotations: Record<string, string>, spec: Record<string, unknown>): NetworkPolicyObject {
  const metadata: NetworkPolicyObject['metadata'] = { name, namespace };
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  metadata.annotations = annotations;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: structuredClone(spec) };
}

/** An AuditNetworkPolicy as the NetworkPolicy it would be, in its own namespace. */
export function toNetworkPolicy(p: AuditPolicy): NetworkPolicyObject {
  return build(p.metadata.name, p.metadata.namespace ?? 'default', { ...(p.metadata.labels ?? {}) }, keptAnnotations(p), p.spec);
}

/**
 * A label value is at most 63 characters; a longer cluster policy name is cut (the
 * annotation still names it in full).
 */
export function labelValue(name: string): string {
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

/** One namespace's copy of an AuditClusterNetworkPolicy, without the cluster-level namespaceSelector. */
export function toNamespacedPolicy(p: AuditPolicy, namespace: string): NetworkPolicyObject {
  const spec = Object.fromEntries(Object.entries(p.spec).filter(([k]) => k !== 'namespaceSelector'));
  const labels = { ...(p.metadata.labels ?? {}), [PROMOTED_FROM_ACNP]: labelValue(p.metadata.name) };
  return build(p.metadata.name, namespace, labels, keptAnnotations(p), spec);
}
