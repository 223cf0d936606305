/**
 * The shapes of the kguardian objects as the API server returns them (crds/ and docs/crds.md),
 * typed only as far as the plugin reads them; spec stays opaque so promotion copies it verbatim.
 */

import { AUDIT_CLUSTER_NETWORK_POLICY, AUDIT_NETWORK_POLICY } from '../../contracts/audit-policy-api.js';
import type { AuditPolicyStatus, StatusCondition, StatusEndpoint, StatusEvaluation, StatusOffender } from '../../contracts/audit-policy-status.js';

export interface AuditResource {
  kind: 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy';
  plural: string;
  shortName: string;
  namespaced: boolean;
}

const resource = ({ kind, plural, shortName, scope }: typeof AUDIT_NETWORK_POLICY): AuditResource => ({ kind, plural, shortName, namespaced: scope === 'Namespaced' });
export const ANP: AuditResource = resource(AUDIT_NETWORK_POLICY);
export const ACNP: AuditResource = resource(AUDIT_CLUSTER_NETWORK_POLICY);

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  [field: string]: unknown;
}

// The status is the CRD's, as contracts/audit-policy-status.ts declares it for the evaluator too.
export type Condition = StatusCondition;
export type FlowEnd = StatusEndpoint;
export type Offender = StatusOffender;
export type Evaluation = StatusEvaluation;
export type AuditStatus = AuditPolicyStatus;

export interface AuditPolicy {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status?: AuditStatus;
}

/** "AuditNetworkPolicy prod/payments" or "AuditClusterNetworkPolicy platform-deny". */
export function displayName(p: AuditPolicy): string {
  return p.metadata.namespace ? `${p.kind} ${p.metadata.namespace}/${p.metadata.name}` : `${p.kind} ${p.metadata.name}`;
}
