/**
 * The evaluator's view of the cluster, as the rest of the daemon uses it: the audit policies
 * it holds (with their generation, for observedGeneration), a way to hear when they change,
 * and batch evaluation of recorded flows. The status writer, the replay orchestration and the
 * HTTP API all code against these types, never against the informers behind them.
 */
import type { EvaluateItem, OnlyPolicy } from '../../../contracts/evaluate.js';
import type { Direction, FlowEvaluation } from '../../../policy/types.js';

export type { EvaluateItem, OnlyPolicy };

export interface AuditPolicyVersion {
  uid: string;
  kind: 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy';
  /** '' for AuditClusterNetworkPolicy. */
  namespace: string;
  name: string;
  generation: number;
  /** Compile problems (errors), empty when valid. A policy with problems judges nothing. */
  problems: string[];
}


/**
 * Room for the encoded answers of one judgement (the HTTP encoder's: one per observed direction
 * and mode), shared by every result of that memoised judgement and dropped with it. Opaque here.
 */
export type AnswerSlots = unknown[];

/** A judged flow; `answers` only when the model memoises it (a flow seen once is not kept). */
export interface Judgement {
  readonly evaluation: FlowEvaluation;
  readonly answers: AnswerSlots | undefined;
}

export interface EvaluatedFlow {
  id: number;
  /** The item's: which direction of the evaluation the answer is about. */
  direction: Direction;
  /** Shared with the model's memo: read-only. */
  evaluation: FlowEvaluation;
  /** The judgement's answer slots; without them (tests) the encoder keeps nothing. */
  answers?: AnswerSlots;
  /**
   * True when the answer leaves out the enforced NetworkPolicies' prediction although they decide the
   * observed direction: their namespace's NetworkPolicies changed after the observation (policy-changes.ts).
   */
  withheld?: boolean;
}

export type EvaluateOutcome =
  | { status: 'ok'; results: EvaluatedFlow[] }
  /** The informers have not finished their first list: verdicts would be wrong. */
  | { status: 'not-synced' }
  /** `only` named a policy the model does not hold at exactly that generation. */
  | { status: 'generation-mismatch'; uid: string; current: number | null };

export interface ClusterModelStats {
  pods: number;
  namespaces: number;
  policies: number;
  services: number;
  /** Remembered (IP, pod, time span) ownerships, current and past. */
  ipHistory: number;
  /** Flow evaluations held in the memo. */
  cacheSize: number;
}

export interface ClusterModel {
  /** Starts every informer; resolves when all have listed once. */
  start(): Promise<void>;
  stop(): Promise<void>;
  synced(): boolean;
  auditPolicies(): AuditPolicyVersion[];
  /** Told when an audit policy is added, its generation changes, or it is deleted. Returns the unsubscribe. */
  onAuditPolicyChange(listener: (p: AuditPolicyVersion, deleted: boolean) => void): () => void;
  evaluate(items: readonly EvaluateItem[], only?: OnlyPolicy): EvaluateOutcome;
  stats(): ClusterModelStats;
}
