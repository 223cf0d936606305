/**
 * The wire shape of `GET /v1/enforcement`: the broker's verification of enforced NetworkPolicies
 * against what the kernel saw, read by `kubectl kguardian verify` and by the evaluator's leader
 * (EnforcementMismatch Events). How a row is classified: daemons/broker/verify/enforcement.ts.
 */
import type { Direction, Protocol } from '../policy/types.js';

export type Predicted = 'Allow' | 'Deny';

/** NotEnforced: denied but got through. DroppedElsewhere: allowed but keeps failing. */
export type Outcome = 'Agrees' | 'NotEnforced' | 'DroppedElsewhere' | 'Inconclusive';
export const OUTCOMES: readonly Outcome[] = ['Agrees', 'NotEnforced', 'DroppedElsewhere', 'Inconclusive'];
export const MISMATCHES: readonly Outcome[] = ['NotEnforced', 'DroppedElsewhere'];

export interface EnforcementEnd {
  namespace: string;
  pod: string;
  ip: string;
}

/** Conversations of a flow in each connection state, as the agent saw them. */
export interface StateCounts {
  established: number;
  attempt: number;
  refused: number;
  seen: number;
}

/** One flow and one NetworkPolicy over the window: predicted against observed. */
export interface EnforcementRow {
  policy: { uid: string; namespace: string; name: string; generation: number };
  /** Where the flow was seen: Egress at the source, Ingress at the destination. */
  direction: Direction;
  src: EnforcementEnd;
  dst: EnforcementEnd;
  port: number;
  protocol: Protocol;
  predicted: Predicted;
  observed: StateCounts;
  outcome: Outcome;
  /** One sentence: what was predicted, what happened, what it means. */
  explanation: string;
  firstSeen: string;
  lastSeen: string;
}

export interface EnforcementReport {
  since: string;
  until: string;
  rows: EnforcementRow[];
  /** True when more flows matched than one answer holds (the newest are kept). */
  truncated: boolean;
}
