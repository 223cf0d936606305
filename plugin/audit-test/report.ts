/**
 * The result of `audit test` as data: one entry per input flow in input order, a summary per
 * candidate policy, and one per enforced NetworkPolicy of the cluster that denies at least one
 * of the flows (so every flow counted as denied is accounted for by some policy in the table).
 * The JSON and YAML outputs print this object; the table is drawn from it.
 */
import type { ClusterState, EffectiveVerdict, Flow, FlowEvaluation, NamedEnd, PodRef, PolicyObject, PolicyRef } from '../../policy/index.js';
import type { LineFlow } from './load-flows.js';

export interface ReportVerdict {
  policy: string;
  kind: string;
  direction: 'Ingress' | 'Egress';
  verdict: 'Allow' | 'WouldDeny';
  rule?: number;
  reason: string;
}

export interface FlowReport {
  line: number;
  flow: Flow<NamedEnd>;
  src: PodRef | null;
  dst: PodRef | null;
  verdicts: ReportVerdict[];
  effective: EffectiveVerdict;
  enforced: EffectiveVerdict;
  notes: string[];
  /**
   * "NS/POD" of each end the flow names by pod that the cluster does not have (typically deleted
   * since the flow was recorded). The engine judges such an end as an unknown peer, so a
   * would-deny of this flow may be an artefact of replaying old traffic.
   */
  unknownPods: string[];
}

export interface PolicySummary {
  policy: string;
  kind: string;
  selectedPods: number;
  allow: number;
  wouldDeny: number;
}

export interface AuditReport {
  flows: FlowReport[];
  summary: {
    flows: number;
    allowed: number;
    denied: number;
    /** Flows the enforced NetworkPolicies already deny today. */
    deniedToday: number;
    /** Flows naming a pod the cluster does not have (flows[].unknownPods), and how many of them are denied. */
    unknownPods: number;
    deniedUnknownPods: number;
    /** The candidate policies (-f), in the order given. */
    policies: PolicySummary[];
    /**
     * Enforced NetworkPolicies of the cluster (not replaced by a candidate) that would deny at
     * least one flow, by namespace/name: a flow they deny is denied whatever the candidates say.
     */
    enforcedPolicies: PolicySummary[];
  };
}

function display(p: PolicyObject): string {
  return p.kind === 'AuditClusterNetworkPolicy' ? p.metadata.name : `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}

function toFlowReport(lf: LineFlow, e: FlowEvaluation): FlowReport {
  return {
    line: lf.line,
    flow: lf.flow,
    src: e.src,
    dst: e.dst,
    verdicts: e.verdicts.map((v) => ({
      policy: v.policy,
      kind: v.kind,
      direction: v.direction,
      verdict: v.verdict,
      ...(v.rule !== undefined ? { rule: v.rule } : {}),
      reason: v.reason,
    })),
    effective: e.effective,
    enforced: e.enforced,
    notes: e.notes,
    unknownPods: [missingPod(lf.flow.src, e.src), missingPod(lf.flow.dst, e.dst)].filter((p): p is string => p !== undefined),
  };
}

/** The pod an end names when the engine could not find it (it then resolved the end to no pod). */
function missingPod(end: NamedEnd, resolved: PodRef | null): string | undefined {
  return end.pod !== undefined && end.namespace !== undefined && resolved === null ? `${end.namespace}/${end.pod}` : undefined;
}

export interface EvaluatedFlow {
  input: LineFlow;
  evaluation: FlowEvaluation;
}

function summaryOf(state: ClusterState, ref: PolicyRef, policy: string): PolicySummary {
  const compiled = state.policy(ref.kind, ref.namespace, ref.name);
  return { policy, kind: ref.kind, selectedPods: compiled ? state.selectedPods(compiled).length : 0, allow: 0, wouldDeny: 0 };
}

export function buildReport(state: ClusterState, candidates: readonly PolicyObject[], evaluated: readonly EvaluatedFlow[]): AuditReport {
  const summaries = new Map<string, PolicySummary>();
  for (const p of candidates) {
    const ref: PolicyRef = { kind: p.kind, namespace: p.kind === 'AuditClusterNetworkPolicy' ? '' : (p.metadata.namespace ?? 'default'), name: p.metadata.name };
    summaries.set(`${p.kind} ${display(p)}`, summaryOf(state, ref, display(p)));
  }
  // Every other verdict comes from an enforced NetworkPolicy of the cluster (the cluster input holds no audit policies).
  const enforced = new Map<string, PolicySummary>();
  for (const { evaluation } of evaluated)
    for (const v of evaluation.verdicts) {
      const key = `${v.kind} ${v.policy}`;
      let s = summaries.get(key) ?? enforced.get(key);
      if (!s) enforced.set(key, (s = summaryOf(state, v.ref, v.policy)));
      if (v.verdict === 'Allow') s.allow++;
      else s.wouldDeny++;
    }
  const reports = evaluated.map((e) => toFlowReport(e.input, e.evaluation));
  const denied = reports.filter((r) => !r.effective.allowed).length;
  return {
    flows: reports,
    summary: {
      flows: reports.length,
      allowed: reports.length - denied,
      denied,
      deniedToday: reports.filter((r) => !r.enforced.allowed).length,
      unknownPods: reports.filter((r) => r.unknownPods.length > 0).length,
      deniedUnknownPods: reports.filter((r) => r.unknownPods.length > 0 && !r.effective.allowed).length,
      policies: [...summaries.values()],
      enforcedPolicies: [...enforced.values()].filter((s) => s.wouldDeny > 0).sort((a, b) => a.policy.localeCompare(b.policy)),
    },
  };
}
