/**
 * The wire shape of `GET /v1/enforcement`: the broker's verification of enforced NetworkPolicies
 * against what the kernel saw, read by `kubectl kguardian verify` and by the evaluator's leader
 * (EnforcementMismatch Events, which read the part of a row the Events need with
 * enforcementMismatchesSchema). How a row is classified: daemons/broker/verify/enforcement.ts.
 */
import { z } from 'zod';
import { judgedEndWireSchema, type JudgedEndWire } from './flow-end.js';

export const PREDICTIONS = ['Allow', 'Deny'] as const;
export type Predicted = (typeof PREDICTIONS)[number];

const OUTCOME_VALUES = ['Agrees', 'NotEnforced', 'DroppedElsewhere', 'Inconclusive'] as const;
/** NotEnforced: denied but got through. DroppedElsewhere: allowed but keeps failing. */
export type Outcome = (typeof OUTCOME_VALUES)[number];
export const OUTCOMES: readonly Outcome[] = OUTCOME_VALUES;
export const MISMATCHES: readonly Outcome[] = ['NotEnforced', 'DroppedElsewhere'];

/** One end of the flow: the wire's spelling of a flow end, '' for a name the broker does not know (flow-end.ts). */
export const enforcementEndSchema = judgedEndWireSchema;
export type EnforcementEnd = JudgedEndWire;

/** Conversations of a flow in each connection state, as the agent saw them. */
export const stateCountsSchema = z.object({ established: z.int().min(0), attempt: z.int().min(0), refused: z.int().min(0), seen: z.int().min(0) });
export type StateCounts = z.infer<typeof stateCountsSchema>;

/** One flow and one NetworkPolicy over the window: predicted against observed. */
export const enforcementRowSchema = z.object({
  policy: z.object({ uid: z.string(), namespace: z.string(), name: z.string(), generation: z.int().min(0) }),
  /** Where the flow was seen: Egress at the source, Ingress at the destination. */
  direction: z.enum(['Ingress', 'Egress']),
  src: enforcementEndSchema,
  dst: enforcementEndSchema,
  port: z.int().min(0).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']),
  predicted: z.enum(PREDICTIONS),
  observed: stateCountsSchema,
  outcome: z.enum(OUTCOME_VALUES),
  /** One sentence: what was predicted, what happened, what it means. */
  explanation: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type EnforcementRow = z.infer<typeof enforcementRowSchema>;

export interface EnforcementReport {
  since: string;
  until: string;
  rows: EnforcementRow[];
  /** True when more flows matched than one answer holds (the newest are kept). */
  truncated: boolean;
}

/** What the EnforcementMismatch Events need of a row. */
export const enforcementMismatchSchema = enforcementRowSchema.pick({
  policy: true,
  direction: true,
  src: true,
  dst: true,
  port: true,
  protocol: true,
  predicted: true,
  outcome: true,
  explanation: true,
  lastSeen: true,
});
export type EnforcementMismatch = z.infer<typeof enforcementMismatchSchema>;

/** The answer of GET /v1/enforcement as the evaluator reads it. */
export const enforcementMismatchesSchema = z.object({ rows: z.array(enforcementMismatchSchema), truncated: z.boolean() });
