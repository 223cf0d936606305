/**
 * Where the audit policies live in the Kubernetes API: their group, version and resource names.
 * The CRDs (crds/), the evaluator that watches them and writes their status, the plugin that
 * reads and promotes them, and the authenticator that asks SubjectAccessReviews in the same group
 * all spell them from here.
 */

export const GROUP = 'kguardian.dev';
export const VERSION = 'v1alpha1';
/** The apiVersion of an object: kguardian.dev/v1alpha1. */
export const GROUP_VERSION = `${GROUP}/${VERSION}`;

export type AuditPolicyKind = 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy';

export interface CrdNames {
  kind: AuditPolicyKind;
  plural: string;
  singular: string;
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
}

/**
 * Short names are prefixed with kg: anp, banp and cnp belong to network-policy-api
 * (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy), acnp and annp to Antrea,
 * cnp and ccnp to Cilium, cnp, gnp, snp, sgnp and sknp to Calico's API server; on a cluster with any
 * of them, `kubectl get anp` would be ambiguous. crds/short-names.int.test.ts installs those beside
 * ours and checks that kganp and kgacnp still list ours.
 */
export const AUDIT_NETWORK_POLICY: CrdNames = {
  kind: 'AuditNetworkPolicy',
  plural: 'auditnetworkpolicies',
  singular: 'auditnetworkpolicy',
  shortName: 'kganp',
  scope: 'Namespaced',
};

export const AUDIT_CLUSTER_NETWORK_POLICY: CrdNames = {
  kind: 'AuditClusterNetworkPolicy',
  plural: 'auditclusternetworkpolicies',
  singular: 'auditclusternetworkpolicy',
  shortName: 'kgacnp',
  scope: 'Cluster',
};

export const CRD_NAMES: Record<AuditPolicyKind, CrdNames> = {
  AuditNetworkPolicy: AUDIT_NETWORK_POLICY,
  AuditClusterNetworkPolicy: AUDIT_CLUSTER_NETWORK_POLICY,
};
