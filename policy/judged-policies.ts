/**
 * The policies a flow evaluation walks for one pod: its selecting policies that have rules for
 * each direction, in the order verdicts are listed (kind, then "namespace/name"). Kept on the
 * pod and rebuilt only after its selections change, so judging a flow neither filters nor sorts.
 */
import type { CompiledPolicy } from './compiled.js';
import type { JudgedPolicies, PodEntry } from './model.js';
import type { PolicyKind } from './types.js';

export const NO_POLICIES: readonly CompiledPolicy[] = [];

export const KIND_ORDER: Readonly<Record<PolicyKind, number>> = { NetworkPolicy: 0, AuditNetworkPolicy: 1, AuditClusterNetworkPolicy: 2 };

/** Verdict order within a direction: kind, then display name (code-unit order, as `<` compares). */
export function comparePolicies(a: CompiledPolicy, b: CompiledPolicy): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.display < b.display ? -1 : a.display > b.display ? 1 : 0;
}

function build(pod: PodEntry): JudgedPolicies {
  const sorted = [...pod.selectedBy].sort(comparePolicies);
  return { egress: sorted.filter((p) => p.egress !== null), ingress: sorted.filter((p) => p.ingress !== null) };
}

export function judgedPolicies(pod: PodEntry): JudgedPolicies {
  return (pod.judged ??= build(pod));
}
