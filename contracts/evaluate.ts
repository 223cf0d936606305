/**
 * What the broker sends the evaluator's `POST /evaluate`, one type for both sides: the broker
 * builds these items from its stored flows (evaluation/dispatcher.ts, replay/replay-judge.ts) and the
 * evaluator parses (evaluate-request.ts) and judges them.
 *
 *   request  {"flows":[{"id", "observedAt", "count", "direction", "flow": Flow}], "only"?: {"uid", "generation"}}
 *   response {"results":[{"id", "src", "dst", "verdicts":[{"ref", "verdict", "reason"}], "enforcement"?: {"predicted", "policies"}}]}
 *
 * The answer holds what the broker keeps of a judgement and no more: the audit verdicts of the
 * direction the item was observed in (a flow seen at its source is an egress observation, one seen
 * at its destination an ingress one; the other end's agent reports the other), the pods found at
 * each end, and what the enforced NetworkPolicies predict for that direction. The engine's
 * NetworkPolicy verdicts, its notes and the other direction stay in the evaluator: encoding them
 * was most of the cost of an answer, and the broker threw them away.
 *
 * With `only` (replays) the evaluator judges against that one policy: `verdicts` holds at most that
 * policy's verdict and `enforcement` is left out. When its model does not hold that uid at that
 * generation it answers 409 {"current": <int|null>}.
 */
import type { Predicted } from './enforcement.js';
import type { Direction, Flow, NamedEnd, PodRef, PolicyRef, Verdict } from '../policy/types.js';

/** One flow to judge. */
export interface EvaluateItem {
  /** The flow row's id, echoed in the result. */
  id: number;
  observedAt: string;
  count: number;
  direction: Direction;
  /** Each end as the broker stored it; the evaluator decides which ends no pod owned (flow-judge.ts). */
  flow: Flow<NamedEnd>;
}

/** Restricts an evaluation to one policy at one generation (replays). */
export interface OnlyPolicy {
  uid: string;
  generation: number;
}

/** An audit policy's verdict on the observed direction of a flow (the item's `direction`). */
export interface AnsweredVerdict {
  ref: PolicyRef;
  verdict: Verdict;
  reason: string;
}

/**
 * What the enforced NetworkPolicies predict for the observed direction, and the ones that decided
 * it: every selecting policy when they deny, those that allow it otherwise.
 */
export interface EnforcementPrediction {
  predicted: Predicted;
  policies: PolicyRef[];
}

/** The answer for one item. */
export interface EvaluateResult {
  /** The item's id. */
  id: number;
  /** The pods found at each end (null: none), for the ends the agent could not name. */
  src: PodRef | null;
  dst: PodRef | null;
  verdicts: AnsweredVerdict[];
  /**
   * Absent when no enforced NetworkPolicy decides the observed direction, or when the flow is
   * allowed there but denied on the other side (that side's observation names the denying
   * policies), when the NetworkPolicies of the observed end's namespace changed after `observedAt`
   * (those held now may not be the ones in force then: daemons/evaluator/cluster/policy-changes.ts),
   * and always with `only`.
   */
  enforcement?: EnforcementPrediction;
}

export interface EvaluateResponse {
  results: EvaluateResult[];
}
