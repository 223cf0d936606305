/**
 * What the broker sends the evaluator's `POST /evaluate`, one type for both sides: the broker
 * builds these items from its stored flows (evaluation/dispatcher.ts, replay/replay-judge.ts) and the
 * evaluator parses and judges them (http/evaluate-request.ts).
 *
 *   request  {"flows":[{"id", "observedAt", "count", "direction", "flow": Flow}], "only"?: {"uid", "generation"}}
 *   response {"results":[{"id", "evaluation": FlowEvaluation}]}
 *
 * With `only` (replays) the evaluator judges against that one policy; when its model does not hold
 * that uid at that generation it answers 409 {"current": <int|null>}.
 */
import type { Direction, Flow } from '../policy/types.js';

/** One flow to judge. */
export interface EvaluateItem {
  /** The flow row's id, echoed in the result. */
  id: number;
  observedAt: string;
  count: number;
  direction: Direction;
  flow: Flow;
}

/** Restricts an evaluation to one policy at one generation (replays). */
export interface OnlyPolicy {
  uid: string;
  generation: number;
}
