/**
 * The shapes of the kguardian objects as the API server returns them (crds/ and docs/crds.md),
 * typed only as far as the plugin reads them; spec stays opaque so promotion copies it verbatim.
 */

export const GROUP = 'kguardian.dev';
export const VERSION = 'v1alpha1';

export interface AuditResource {
  kind: 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy';
  plural: string;
  shortName: string;
  namespaced: boolean;
}

export const ANP: AuditResource = { kind: 'AuditNetworkPolicy', plural: 'auditnetworkpolicies', shortName: 'kganp', namespaced: true };
export const ACNP: AuditResource = { kind: 'AuditClusterNetworkPolicy', plural: 'auditclusternetworkpolicies', shortName: 'kgacnp', namespaced: false };

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
