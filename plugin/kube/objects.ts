/**
 * The shapes of the kguardian objects as the API server returns them (crds/ and docs/crds.md),
 * typed only as far as the plugin reads them; spec stays opaque so promotion copies it verbatim.
 */

import { AUDIT_CLUSTER_NETWORK_POLICY, AUDIT_NETWORK_POLICY } from '../../contracts/audit-policy-api.js';

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

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface FlowEnd {
  namespace?: string;
  pod?: string;
  ip?: string;
}

export interface Offender {
  source: FlowEnd;
  destination: FlowEnd;
  port: number;
  protocol: string;
  direction: string;
  count: number;
  lastSeen: string;
}

export interface Evaluation {
  window?: string;
  lastEvaluated?: string;
  flowsEvaluated?: number;
  flowsAllowed?: number;
  flowsWouldDeny?: number;
  topOffenders?: Offender[];
}

export interface AuditStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  evaluation?: Evaluation;
}

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
