/**
 * The result of `audit test` as data: one entry per input flow in input order, and a summary
 * per candidate policy. The JSON and YAML outputs print this object; the table is drawn from it.
 */
import type { ClusterState, EffectiveVerdict, Flow, FlowEvaluation, PodRef, PolicyObject } from '../../policy/index.js';
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
  flow: Flow;
  src: PodRef | null;
  dst: PodRef | null;
  verdicts: ReportVerdict[];
  effective: EffectiveVerdict;
  enforced: EffectiveVerdict;
  notes: string[];
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
    policies: PolicySummary[];
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
  };
}

export interface EvaluatedFlow {
  input: LineFlow;
  evaluation: FlowEvaluation;
}

export function buildReport(state: ClusterState, candidates: readonly PolicyObject[], evaluated: readonly EvaluatedFlow[]): AuditReport {
  const summaries = new Map<string, PolicySummary>();
  for (const p of candidates) {
    const key = `${p.kind} ${display(p)}`;
    const compiled = state.policy(p.kind, p.metadata.namespace ?? 'default', p.metadata.name);
    summaries.set(key, { policy: display(p), kind: p.kind, selectedPods: compiled ? state.selectedPods(compiled).length : 0, allow: 0, wouldDeny: 0 });
  }
  const reports = evaluated.map((e) => toFlowReport(e.input, e.evaluation));
  for (const r of reports)
    for (const v of r.verdicts) {
      const s = summaries.get(`${v.kind} ${v.policy}`);
      if (!s) continue;
      if (v.verdict === 'Allow') s.allow++;
      else s.wouldDeny++;
    }
  const denied = reports.filter((r) => !r.effective.allowed).length;
  return {
    flows: reports,
    summary: {
      flows: reports.length,
      allowed: reports.length - denied,
      denied,
      deniedToday: reports.filter((r) => !r.enforced.allowed).length,
      policies: [...summaries.values()],
    },
  };
}
