/**
 * What `POST /evaluate` answers for one judged flow (contracts/evaluate.ts): the part of the
 * engine's evaluation the broker keeps, decided here, on the evaluator's side of the wire, so the
 * broker stores the answer as it comes.
 * - `verdicts`: the audit verdicts of the direction the flow was observed in. NetworkPolicy
 *   verdicts describe enforcement, not audit, and the other direction belongs to the other end's
 *   observation.
 * - `enforcement`: what the enforced NetworkPolicies predict for that direction, naming the ones
 *   that decided it (all that select the end when they deny it, those that allow it otherwise).
 *   None when no NetworkPolicy selects the end, and none for a flow allowed in that direction but
 *   denied on the other side: the other side's observation names the denying policies. The
 *   evaluator also leaves it out of a live answer when the end's NetworkPolicies changed after the
 *   observation (`withEnforcement` false, as for replays).
 *
 * The evaluation itself keeps both directions, every verdict and its notes: the evaluator memoises
 * it per flow, and the same flow comes back observed from either end. Its encoder writes these
 * answers without building them (daemons/evaluator/http/evaluation-json.ts); this is the reference.
 */
import type { AnsweredVerdict, EnforcementPrediction, EvaluateResult } from './evaluate.js';
import type { Direction, FlowEvaluation, PolicyVerdict } from '../policy/types.js';

/** An answer as written, without the item's id. */
export type Answer = Omit<EvaluateResult, 'id'>;

/** True for a verdict the answer carries for an observation in `direction`. */
export function isAnswered(v: PolicyVerdict, direction: Direction): boolean {
  return v.direction === direction && v.ref.kind !== 'NetworkPolicy';
}

export function enforcementOf(e: FlowEvaluation, direction: Direction): EnforcementPrediction | undefined {
  const outcome = direction === 'Egress' ? e.enforced.egress : e.enforced.ingress;
  if (outcome === 'NotSelected' || (outcome === 'Allow' && !e.enforced.allowed)) return undefined;
  const verdict = outcome === 'Allow' ? 'Allow' : 'WouldDeny';
  const policies = e.verdicts.filter((v) => v.ref.kind === 'NetworkPolicy' && v.direction === direction && v.verdict === verdict).map((v) => v.ref);
  return { predicted: outcome === 'Allow' ? 'Allow' : 'Deny', policies };
}

/** The answer for an observation in `direction`; replays (`withEnforcement` false) leave out the prediction. */
export function answerOf(e: FlowEvaluation, direction: Direction, withEnforcement: boolean): Answer {
  const verdicts: AnsweredVerdict[] = e.verdicts.filter((v) => isAnswered(v, direction)).map((v) => ({ ref: v.ref, verdict: v.verdict, reason: v.reason }));
  const answer: Answer = { src: e.src, dst: e.dst, verdicts };
  const enforcement = withEnforcement ? enforcementOf(e, direction) : undefined;
  if (enforcement !== undefined) answer.enforcement = enforcement;
  return answer;
}
