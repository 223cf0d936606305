/**
 * What the broker's read API answers (`/v1/flows`, `/audit/verdicts`, its stream and
 * `/audit/summary`, whose schemas are in summary.ts): the broker's store returns these rows and
 * its routes send them as they are; the plugin, the web view and the evaluator read them. One
 * module for both sides, so neither can drift without the compiler noticing.
 */
import type { Direction, PolicyKind, Protocol, Verdict } from '../policy/types.js';
import type { FlowObservation } from './flow-batch.js';
import type { FlowEnd } from './flow-end.js';
import type { VerdictEndpoint } from './summary.js';

export type { Offender, OffenderStates, Summary, VerdictEndpoint } from './summary.js';

/** A row of `flows`: one flow key in one minute bucket. */
export interface StoredFlow {
  id: number;
  bucket: string;
  firstSeen: string;
  lastSeen: string;
  src: FlowEnd;
  dst: FlowEnd;
  protocol: Protocol;
  direction: Direction;
  state: FlowObservation['state'];
  node: string;
  count: number;
}

/** A verdict's connection state: the judged flow's, or unknown for verdicts older than the column. */
export type VerdictState = FlowObservation['state'] | 'unknown';

/** A row of `audit_verdicts`, as the API returns it. */
export interface StoredVerdict {
  id: number;
  observedAt: string;
  evaluatedAt: string;
  flowId: number;
  policy: { uid: string; kind: PolicyKind; namespace: string; name: string; generation: number };
  direction: Direction;
  verdict: Verdict;
  src: VerdictEndpoint;
  dst: VerdictEndpoint;
  port: number;
  protocol: Protocol;
  reason: string;
  count: number;
  /** How the connection went as the agent saw it (a replayed row: all the flow rows it sums shared it). */
  state: VerdictState;
}

export interface VerdictPage {
  verdicts: StoredVerdict[];
  /** Pass as before_id for the next page; null when this page is the last. */
  nextBeforeId: number | null;
}

export interface FlowPage {
  flows: StoredFlow[];
  nextCursor: number | null;
}
