/**
 * What the web view reads besides the broker's own API: the session (which namespaces the page
 * shows) and the audit policies with their promotion gate. `kubectl kguardian ui`'s local proxy
 * answers these two from the Kubernetes API with the user's own kubeconfig, so the API server's
 * RBAC decides which policies a user sees; the broker has no Kubernetes client of its own. Types
 * only: the plugin (producer) and the page (consumer) both import them.
 */
import type { StoredVerdict } from './broker-api.js';

export type { StoredVerdict };

export const UI_API = { session: '/ui/api/session', policies: '/ui/api/policies' } as const;

export interface UiSession {
  /** The one namespace the page shows, or null for every namespace (`-A`). */
  namespace: string | null;
  /** The kubeconfig context the proxy uses, for the header. */
  context: string;
}

export interface UiPolicy {
  kind: 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy';
  /** '' for an AuditClusterNetworkPolicy. */
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  /** null: the evaluator has not evaluated it yet. */
  observedGeneration: number | null;
  window: string | null;
  lastEvaluated: string | null;
  flowsAllowed: number | null;
  flowsWouldDeny: number | null;
  /** The promotion gate's answer, as `audit promote` would give it (without --min-quiet). */
  safe: boolean;
  problems: string[];
  warnings: string[];
  /** The exact command that promotes it. */
  promoteCommand: string;
  /** The policy's ingress and egress rules as stored, for the row detail. */
  rules: { ingress: unknown[] | null; egress: unknown[] | null };
}

export interface UiPolicyList {
  policies: UiPolicy[];
  /** Why some policies could not be listed (a kind the user may not list), in words. */
  notes: string[];
}
