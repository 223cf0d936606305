/**
 * The `.status` the evaluator writes, built by pure functions from the policy version, the
 * broker's summary and the status already stored: conditions keep their lastTransitionTime
 * while their status does not change (as metav1.Condition requires), every condition carries
 * the generation it was set for, and a Synced condition that is True always carries the
 * status's observedGeneration (the CRD's CEL rule). Summary offenders become the CRD's
 * offender shape: empty fields are left out and rows the schema cannot hold (port 0, count 0)
 * are dropped rather than failing the whole write.
 */
import { isIP } from 'node:net';
import type { Offender, SummaryAnswer } from '../../../contracts/summary.js';
import { MAX_OFFENDERS, type AuditPolicyStatus, type StatusCondition, type StatusEndpoint, type StatusEvaluation, type StatusOffender } from '../../../contracts/audit-policy-status.js';
import type { AuditPolicyVersion } from '../cluster/cluster-model.js';
import { podOf } from '../../../contracts/flow-end-label.js';

export { MAX_OFFENDERS, type StatusEndpoint, type StatusOffender } from '../../../contracts/audit-policy-status.js';

export type ConditionType = 'Ready' | 'Synced' | 'Evaluating' | 'Degraded';

export type Condition = StatusCondition;

export type NewCondition = Omit<Condition, 'lastTransitionTime' | 'type'> & { type: ConditionType };

/** The evaluation as the evaluator writes it: every field set. */
export type Evaluation = Required<StatusEvaluation>;

/** The status the evaluator writes: the CRD's (contracts/audit-policy-status.ts), its evaluation complete. */
export type PolicyStatus = Omit<AuditPolicyStatus, 'evaluation'> & { evaluation?: Evaluation };

/** Replaces the conditions of the types in `next`, keeping others (and unchanged transition times). */
export function mergeConditions(existing: readonly Condition[] | undefined, next: readonly NewCondition[], now: Date): Condition[] {
  const byType = new Map((existing ?? []).map((c) => [c.type, c]));
  for (const n of next) {
    const old = byType.get(n.type);
    const lastTransitionTime = old?.status === n.status ? old.lastTransitionTime : now.toISOString();
    byType.set(n.type, { ...n, lastTransitionTime });
  }
  return [...byType.values()];
}

function endpoint(e: Offender['src']): StatusEndpoint | undefined {
  const out: StatusEndpoint = {};
  const pod = podOf(e);
  if (pod) {
    out.namespace = pod.namespace;
    out.pod = pod.pod;
  }
  if (e.ip !== '' && isIP(e.ip) !== 0) out.ip = e.ip;
  return out.pod === undefined && out.ip === undefined ? undefined : out;
}

export function toStatusOffender(o: Offender): StatusOffender | undefined {
  const source = endpoint(o.src);
  const destination = endpoint(o.dst);
  if (!source || !destination || o.port < 1 || o.count < 1) return undefined;
  const states = Object.fromEntries(Object.entries(o.states).filter(([, n]) => n > 0));
  return {
    source, destination, port: o.port, protocol: o.protocol, direction: o.direction, count: o.count, lastSeen: new Date(o.lastSeen).toISOString(),
    ...(Object.keys(states).length > 0 ? { states } : {}),
  };
}

/** One key per offending flow, the same whether read from a summary or from a stored status. */
export function offenderKey(o: StatusOffender): string {
  const side = (e: StatusEndpoint): string => `${e.namespace ?? ''}/${e.pod ?? ''}@${e.ip ?? ''}`;
  return `${o.direction} ${side(o.source)} -> ${side(o.destination)}:${o.port}/${o.protocol}`;
}

/** The offenders a status holds for a summary: those the CRD can hold, at most MAX_OFFENDERS. */
export function statusOffendersOf(summary: SummaryAnswer): StatusOffender[] {
  const topOffenders: StatusOffender[] = [];
  for (const o of summary.topOffenders) {
    const s = toStatusOffender(o);
    if (s && topOffenders.length < MAX_OFFENDERS) topOffenders.push(s);
  }
  return topOffenders;
}

export function evaluationOf(summary: SummaryAnswer, window: string, now: Date): Evaluation {
  const topOffenders = statusOffendersOf(summary);
  return {
    window,
    lastEvaluated: now.toISOString(),
    flowsEvaluated: summary.allow + summary.wouldDeny,
    flowsAllowed: summary.allow,
    flowsWouldDeny: summary.wouldDeny,
    topOffenders,
  };
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function readyCondition(v: AuditPolicyVersion, summary: SummaryAnswer | undefined, window: string): NewCondition {
  const g = v.generation;
  if (v.problems.length > 0) {
    return { type: 'Ready', status: 'False', observedGeneration: g, reason: 'InvalidSpec', message: `The spec cannot be evaluated: ${v.problems.join('; ')}`.slice(0, 32_000) };
  }
  if (summary === undefined) return { type: 'Ready', status: 'True', observedGeneration: g, reason: 'Compiled', message: 'The spec compiled and every replica evaluates it.' };
  if (summary.allow + summary.wouldDeny === 0) {
    return { type: 'Ready', status: 'True', observedGeneration: g, reason: 'NoTrafficSeen', message: `No flow this policy concerns was seen in the last ${window}.` };
  }
  return {
    type: 'Ready', status: 'True', observedGeneration: g, reason: 'Evaluated',
    message: `${plural(summary.allow + summary.wouldDeny, 'flow')} in the last ${window}: ${summary.allow} allowed, ${summary.wouldDeny} would be denied.`,
  };
}

/**
 * Degraded says whether some flows could not be judged by pod selectors: their peer sat at a
 * private address (where pods live) that no known pod held. Such a peer is judged as an ipBlock
 * address, so a rule selecting it by labels did not match and the counts may be off either way.
 */
export function degradedCondition(v: AuditPolicyVersion, summary: SummaryAnswer | undefined, window: string): NewCondition {
  const g = v.generation;
  const n = summary?.unidentifiedPeers ?? 0;
  if (n === 0) {
    return { type: 'Degraded', status: 'False', observedGeneration: g, reason: 'PeerIdentityKnown', message: `Every flow in the last ${window} with a peer at a private address was attributed to a pod.` };
  }
  return {
    type: 'Degraded', status: 'True', observedGeneration: g, reason: 'PeerIdentityUnknown',
    message: `${plural(n, 'flow')} in the last ${window} had a peer at a private address that matched no known pod; ` +
      'they were judged by ipBlock rules only, not by pod or namespace selectors, so the Allow and WouldDeny counts may be low or high.',
  };
}

/** A new generation was seen: its window is being replayed; counts and observedGeneration stay as they were. */
export function replayingStatus(v: AuditPolicyVersion, stored: PolicyStatus, now: Date, failure?: string): PolicyStatus {
  const g = v.generation;
  const why = failure === undefined ? '' : ` The last attempt failed (${failure}); retrying.`;
  return {
    conditions: mergeConditions(stored.conditions, [
      readyCondition(v, undefined, ''),
      { type: 'Synced', status: 'False', observedGeneration: g, reason: 'Replaying', message: `Generation ${g} is being re-evaluated; the counts shown are of generation ${stored.observedGeneration ?? 'none'}.` },
      { type: 'Evaluating', status: 'True', observedGeneration: g, reason: failure === undefined ? 'Replaying' : 'ReplayRetrying', message: `Re-evaluating the recorded window against generation ${g}.${why}` },
    ], now),
  };
}

/**
 * The status once generation `v.generation` is fully reconciled (replayed, or invalid). When the
 * object has moved on to a later generation meanwhile, Synced says False: these counts are right
 * for the generation stamped, but not for the spec the user now sees.
 */
export function syncedStatus(v: AuditPolicyVersion, summary: SummaryAnswer, window: string, stored: PolicyStatus & { generation: number }, now: Date): PolicyStatus {
  const g = v.generation;
  const current = stored.generation === g;
  const judged = v.problems.length > 0 ? { ...summary, allow: 0, wouldDeny: 0, unidentifiedPeers: 0, topOffenders: [] } : summary;
  const evaluation = evaluationOf(judged, window, now);
  return {
    observedGeneration: g,
    evaluation,
    conditions: mergeConditions(stored.conditions, [
      readyCondition(v, v.problems.length > 0 ? undefined : summary, window),
      current
        ? { type: 'Synced', status: 'True', observedGeneration: g, reason: 'Synced', message: `The counts reflect generation ${g}.` }
        : { type: 'Synced', status: 'False', observedGeneration: g, reason: 'SpecChanged', message: `The counts reflect generation ${g}; generation ${stored.generation} is not evaluated yet.` },
      { type: 'Evaluating', status: 'False', observedGeneration: g, reason: 'Idle', message: `Generation ${g} is evaluated; counts are refreshed over the last ${window}.` },
      degradedCondition(v, judged, window),
    ], now),
  };
}
