/**
 * The web view's policy list, read from the API server with the user's own kubeconfig (so RBAC
 * decides what they see) and judged by the same promotion gate as `audit promote` and
 * `describe`. With one namespace, only that namespace's AuditNetworkPolicies; with every
 * namespace, AuditClusterNetworkPolicies too. A kind the user may not list becomes a note.
 */
import type { UiPolicy, UiPolicyList } from '../../contracts/web-view.js';
import type { AuditApi } from '../kube/audit-api.js';
import { ACNP, ANP, type AuditPolicy, type AuditResource } from '../kube/objects.js';
import { safetyGate } from '../promote/gate.js';

function rules(spec: Record<string, unknown>, key: 'ingress' | 'egress'): unknown[] | null {
  const v = spec[key];
  return Array.isArray(v) ? (v as unknown[]) : null;
}

export function promoteCommand(kind: UiPolicy['kind'], namespace: string, name: string): string {
  return kind === 'AuditClusterNetworkPolicy'
    ? `kubectl kguardian audit promote-cluster ${name} | kubectl apply -f -`
    : `kubectl kguardian audit promote ${name} -n ${namespace} | kubectl apply -f -`;
}

type UiEvaluation = Pick<UiPolicy, 'observedGeneration' | 'window' | 'lastEvaluated' | 'flowsAllowed' | 'flowsWouldDeny'>;

/** What the evaluator wrote in status, null where it has not written yet. */
function evaluationOf(p: AuditPolicy): UiEvaluation {
  const e = p.status?.evaluation;
  return {
    observedGeneration: p.status?.observedGeneration ?? null,
    window: e?.window ?? null,
    lastEvaluated: e?.lastEvaluated ?? null,
    flowsAllowed: e?.flowsAllowed ?? null,
    flowsWouldDeny: e?.flowsWouldDeny ?? null,
  };
}

export function toUiPolicy(p: AuditPolicy, now: Date): UiPolicy {
  const kind = p.kind === 'AuditClusterNetworkPolicy' ? 'AuditClusterNetworkPolicy' : 'AuditNetworkPolicy';
  const namespace = p.metadata.namespace ?? '';
  const gate = safetyGate(p, { force: false, now });
  return {
    kind,
    namespace,
    name: p.metadata.name,
    uid: p.metadata.uid ?? '',
    generation: p.metadata.generation ?? 0,
    ...evaluationOf(p),
    safe: gate.allowed,
    problems: gate.problems,
    warnings: gate.warnings,
    promoteCommand: promoteCommand(kind, namespace, p.metadata.name),
    rules: { ingress: rules(p.spec, 'ingress'), egress: rules(p.spec, 'egress') },
  };
}

/** namespace null: every namespace, and the cluster-scoped kind. */
export async function listUiPolicies(api: Pick<AuditApi, 'list'>, namespace: string | null, now: Date): Promise<UiPolicyList> {
  const kinds: [AuditResource, string | undefined][] = namespace === null ? [[ANP, undefined], [ACNP, undefined]] : [[ANP, namespace]];
  const policies: UiPolicy[] = [];
  const notes: string[] = [];
  for (const [res, ns] of kinds) {
    try {
      policies.push(...(await api.list(res, ns)).map((p) => toUiPolicy(p, now)));
    } catch (e) {
      notes.push(`${res.kind}s could not be listed: ${(e as Error).message}`);
    }
  }
  if (namespace !== null) notes.push(`Showing namespace ${namespace} only; AuditClusterNetworkPolicies are listed with -A.`);
  return { policies, notes };
}
