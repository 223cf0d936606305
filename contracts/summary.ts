/**
 * `GET /audit/summary`: the Allow and WouldDeny totals of the verdicts in a window and the flows
 * denied most often. The broker's store builds a Summary and its route sends it with the window
 * (since, until); the evaluator reads that answer to write each policy's status, the plugin and
 * the web view read the same rows. Types are inferred from the schemas, so the producer's type and
 * the reader's validation are one declaration.
 */
import { z } from 'zod';
import { judgedEndWireSchema, type JudgedEndWire } from './flow-end.js';

/** A verdict's connection state: the judged flow's, or unknown for verdicts older than the column. */
export const VERDICT_STATES = ['established', 'attempt', 'refused', 'seen', 'unknown'] as const;

/** One end of a judged flow: the wire's spelling of a flow end, '' for a name the broker does not know (flow-end.ts). */
export const verdictEndpointSchema = judgedEndWireSchema;
export type VerdictEndpoint = JudgedEndWire;

/** Counts per connection state, in the same unit as the offender's count; states with none are left out. */
export const offenderStatesSchema = z.partialRecord(z.enum(VERDICT_STATES), z.int().min(0));
export type OffenderStates = z.infer<typeof offenderStatesSchema>;

export const offenderSchema = z.object({
  src: verdictEndpointSchema,
  dst: verdictEndpointSchema,
  port: z.int().min(0).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']),
  direction: z.enum(['Ingress', 'Egress']),
  count: z.int().min(0),
  /** The latest observation time among the offender's verdicts in the window. */
  lastSeen: z.string(),
  /** `count` split by connection state; absent from a broker older than the field. */
  states: offenderStatesSchema.default({}),
});
export type Offender = z.infer<typeof offenderSchema>;

/** What the store sums up for a window. */
export const summarySchema = z.object({
  allow: z.int().min(0),
  wouldDeny: z.int().min(0),
  /** Observations whose peer end (source of Ingress, destination of Egress) has no pod but a private IP. */
  unidentifiedPeers: z.int().min(0),
  topOffenders: z.array(offenderSchema),
});
export type Summary = z.infer<typeof summarySchema>;

/** The answer of GET /audit/summary as the evaluator reads it: the summary and its window. */
export const summaryAnswerSchema = summarySchema.extend({ since: z.string(), until: z.string() });
export type SummaryAnswer = z.infer<typeof summaryAnswerSchema>;
