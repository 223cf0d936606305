/**
 * One evaluation out of several: a flow to a Service address with more than one ready backend
 * and no agent stamp could have reached any of them, so it is judged against each and the
 * results are combined here without guessing. A policy's verdict is WouldDeny when it would
 * deny the flow to any backend it applies to, and every reason says that the backend reached
 * is unknown, which backends were considered, and which of them the policy allows or denies.
 */
import type { DirectionOutcome, EffectiveVerdict, FlowEvaluation, PolicyKind, PolicyVerdict } from './engine.js';
import type { Backend, ServiceTarget } from './service-index.js';

export interface BackendEvaluation {
  backend: Backend;
  evaluation: FlowEvaluation;
}

/** Reasons are stored by the broker, which refuses more than 4,096 characters. */
const MAX_REASON = 4000;
const MAX_LISTED = 8;
const KIND_ORDER: Record<PolicyKind, number> = { NetworkPolicy: 0, AuditNetworkPolicy: 1, AuditClusterNetworkPolicy: 2 };
const RANK: Record<DirectionOutcome, number> = { NotSelected: 0, Allow: 1, Deny: 2 };

export function backendLabel(b: Backend): string {
  return b.pod ? `${b.pod.namespace}/${b.pod.pod}:${b.port}` : `${b.ip}:${b.port}`;
}

function listed(labels: readonly string[]): string {
  if (labels.length <= MAX_LISTED) return labels.join(', ');
  return `${labels.slice(0, MAX_LISTED).join(', ')} and ${labels.length - MAX_LISTED} more`;
}

function clip(text: string): string {
  return text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`;
}

function worst(a: DirectionOutcome, b: DirectionOutcome): DirectionOutcome {
  return RANK[b] > RANK[a] ? b : a;
}

function combine(all: readonly EffectiveVerdict[]): EffectiveVerdict {
  let ingress: DirectionOutcome = 'NotSelected';
  let egress: DirectionOutcome = 'NotSelected';
  for (const e of all) {
    ingress = worst(ingress, e.ingress);
    egress = worst(egress, e.egress);
  }
  return { ingress, egress, allowed: ingress !== 'Deny' && egress !== 'Deny' };
}

function compareVerdicts(a: PolicyVerdict, b: PolicyVerdict): number {
  if (a.direction !== b.direction) return a.direction === 'Egress' ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0;
}

interface Group {
  first: PolicyVerdict;
  allowed: string[];
  denied: string[];
  deniedReason: string | undefined;
  rules: Set<number | undefined>;
}

function mergeGroup(g: Group, considered: number, head: string): PolicyVerdict {
  const applies = g.allowed.length + g.denied.length;
  const scope = applies === considered ? 'judged against each' : `the policy applies to ${applies} of them`;
  let detail: string;
  if (g.denied.length === 0) detail = `${scope}, it allows all: ${g.first.reason}`;
  else if (g.allowed.length === 0) detail = `${scope}, it would deny all: ${g.deniedReason ?? g.first.reason}`;
  else detail = `${scope}, it allows ${listed(g.allowed)} but would deny ${listed(g.denied)}: ${g.deniedReason ?? g.first.reason}`;
  const verdict: PolicyVerdict = { policy: g.first.policy, kind: g.first.kind, direction: g.first.direction, verdict: g.denied.length > 0 ? 'WouldDeny' : 'Allow', reason: clip(`${head}; ${detail}`), ref: g.first.ref };
  const [rule] = g.rules;
  if (verdict.verdict === 'Allow' && g.rules.size === 1 && rule !== undefined) verdict.rule = rule;
  return verdict;
}

/** Combines the evaluations of one flow against each candidate backend of `target`. */
export function mergeBackends(target: ServiceTarget, address: string, evaluations: readonly BackendEvaluation[]): FlowEvaluation {
  const labels = evaluations.map((e) => backendLabel(e.backend));
  const where = `${address}:${target.port.port}/${target.port.protocol}`;
  const head = `Service ${target.service} (${where}) has ${labels.length} ready backends (${listed(labels)}) and the one this flow reached is unknown`;
  const groups = new Map<string, Group>();
  const notes = new Set<string>([`destination ${where} is Service ${target.service}; the backend reached is unknown, so the flow was judged against each of its ${labels.length} ready backends: ${listed(labels)}`]);
  for (const [i, { evaluation }] of evaluations.entries()) {
    const label = labels[i] ?? '';
    for (const n of evaluation.notes) notes.add(n);
    for (const v of evaluation.verdicts) {
      const key = `${v.direction}|${v.kind}|${v.policy}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { first: v, allowed: [], denied: [], deniedReason: undefined, rules: new Set() }));
      if (v.verdict === 'Allow') g.allowed.push(label);
      else {
        g.denied.push(label);
        g.deniedReason ??= v.reason;
      }
      g.rules.add(v.rule);
    }
  }
  const verdicts = [...groups.values()].map((g) => mergeGroup(g, labels.length, head)).sort(compareVerdicts);
  return {
    src: evaluations[0]?.evaluation.src ?? null,
    dst: null,
    verdicts,
    effective: combine(evaluations.map((e) => e.evaluation.effective)),
    enforced: combine(evaluations.map((e) => e.evaluation.enforced)),
    notes: [...notes],
  };
}
