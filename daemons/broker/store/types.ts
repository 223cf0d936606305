/**
 * The broker's store: what routes, the evaluation loop and the maintenance loop may ask of the
 * database. One implementation (sql-store.ts) runs over either engine (PostgreSQL through `pg`,
 * or embedded PGlite); store.contract.ts is the suite both must pass.
 */
import type { Direction, PodRef, Verdict } from '../../../policy/types.js';
import type { FlowPage, Offender, StoredFlow, StoredVerdict, Summary, VerdictEndpoint, VerdictPage, VerdictState } from '../../../contracts/broker-api.js';
import type { FlowBatch, FlowObservation } from '../../../contracts/flow-batch.js';
import type { ReplayStore } from './replay-types.js';
import type { EnforcementCheck } from '../verify/enforcement.js';
import type { EnforcementReport } from '../../../contracts/enforcement.js';
import type { EnforcementQuery } from './enforcement-checks.js';

// What the read API answers is a contract the plugin and the web view share.
export type { FlowPage, Offender, StoredFlow, StoredVerdict, Summary, VerdictEndpoint, VerdictPage, VerdictState };

export interface IngestResult {
  /** True when this (node, batchId) was stored before: nothing was written this time. */
  duplicate: boolean;
  observations: number;
  /** Rows written after aggregating the batch by flow key and minute. */
  rows: number;
}

/**
 * A verdict to store for a claimed flow. The store takes the endpoints, port, protocol, time and
 * count from the flow row itself (identity as stamped at observation time), never from the caller.
 */
export type NewVerdict = Pick<StoredVerdict, 'policy' | 'direction' | 'verdict' | 'reason'>;

/** A verdict as committed by completeClaim, with the conversations it stands for (the flow's pending count). */
export interface StoredVerdictTally {
  verdict: NewVerdict;
  count: number;
}

/** Filters shared by the verdict list, the stream and the summary. */
export interface VerdictFilter {
  policy?: string;
  /** Exact policy uid (the summary's `uid=`). */
  uid?: string;
  /** Exact policy generation (the summary's `generation=`, only together with uid). */
  generation?: number;
  /** '' selects cluster-scoped policies; undefined selects all. */
  namespace?: string;
  verdict?: Verdict;
  direction?: Direction;
  /** The judged flow's connection state. */
  state?: FlowObservation['state'];
  since?: Date;
  until?: Date;
  /** Only each policy's latest generation: the highest stored for its uid (`generations=latest`). */
  latestGeneration?: boolean;
}

export interface VerdictPageQuery extends VerdictFilter {
  limit: number;
  beforeId?: number;
}

export interface FlowPageQuery {
  since?: Date;
  until?: Date;
  /** Return flows with id greater than this. */
  afterId?: number;
  limit: number;
}

/** Flows claimed for evaluation: the rows plus how many observations of each this claim covers. */
export interface ClaimedFlow {
  flow: StoredFlow;
  /** Observations not yet evaluated at claim time; exactly these are judged by this claim. */
  pending: number;
  /**
   * The hash of the enforcement checks the flow row was last judged with (flows.checks_hash, see
   * checksHash; 0 or absent: none; null: not known, rows from before the hash, read back from their check rows).
   */
  checks?: number | null;
}

export interface Claim {
  token: string;
  flows: ClaimedFlow[];
}

/** The evaluator's judgement of one claimed flow: the verdicts to store for it. */
export interface FlowJudgement {
  flowId: number;
  verdicts: NewVerdict[];
  /**
   * The pods the evaluator found at each end (null: none). Verdict rows take them for an end the
   * agent could not stamp (the evaluator resolves its IP through the cluster's IP history).
   */
  resolved?: { src: PodRef | null; dst: PodRef | null };
  /** What the enforced NetworkPolicies predict for the flow, per policy that decided it (verify/enforcement.ts). */
  enforcement?: EnforcementCheck[];
}

/** Enforcement checks as committed by completeClaim, one entry per (predicted, state) with their conversations summed (the verify metrics). */
export interface StoredCheckTally {
  predicted: EnforcementCheck['predicted'];
  state: FlowObservation['state'];
  count: number;
}

export interface Store {
  /** Stores a batch once: a retried batch (same node and batchId) writes nothing. */
  ingest(batch: FlowBatch, receivedAt: Date): Promise<IngestResult>;
  listVerdicts(q: VerdictPageQuery): Promise<VerdictPage>;
  /** Verdicts with afterId < id <= upToId (no upper bound without it) in id order: what the stream sends next. */
  verdictsAfter(afterId: number, filter: VerdictFilter, limit: number, upToId?: number): Promise<StoredVerdict[]>;
  /** The highest verdict id stored, 0 when none: where a new stream starts. */
  lastVerdictId(): Promise<number>;
  summary(filter: VerdictFilter, top: number): Promise<Summary>;
  listFlows(q: FlowPageQuery): Promise<FlowPage>;
  /** Claims up to `limit` flows with unevaluated observations for `leaseMs`. */
  claimPending(limit: number, now: Date, leaseMs: number): Promise<Claim>;
  /**
   * Stores the verdicts of a claim and marks its observations evaluated, atomically. Flows whose
   * claim was lost (lease expired and taken by someone else) are skipped; returns the verdict count.
   * `onStored` is told, once the transaction committed, which verdicts were stored and for how many
   * conversations each (the per-policy metrics).
   */
  completeClaim(
    claim: Claim,
    judgements: FlowJudgement[],
    now: Date,
    onStored?: (stored: readonly StoredVerdictTally[], checks: readonly StoredCheckTally[]) => void,
  ): Promise<number>;
  /** Enforced NetworkPolicies' predictions against the observed states, per flow and policy (GET /v1/enforcement). */
  enforcementReport(q: EnforcementQuery): Promise<EnforcementReport>;
  /** Releases a claim without evaluating (the evaluator failed): the flows stay pending. */
  releaseClaim(claim: Claim): Promise<void>;
  /** Replay jobs (POST /v1/replays) and their pass over the flows. */
  readonly replays: ReplayStore;
  /** Partitions for [now - back, now + ahead] days; returns nothing, safe to call often. */
  ensurePartitions(now: Date): Promise<void>;
  /**
   * Drops each table's partitions past its own window, forgets batch ids older than batchIdHours
   * and finished replay jobs older than the verdict window; returns the dropped partition names.
   */
  applyRetention(now: Date): Promise<string[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Called after verdicts are committed by this process (the stream's wake-up). */
  onVerdicts(listener: () => void): () => void;
  readonly engine: 'postgres' | 'pglite';
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface RetentionConfig {
  flowsDays: number;
  /** audit_verdicts partitions, and finished replay jobs. */
  verdictsDays: number;
  /** How long batch ids are remembered for de-duplication of retries (BATCH_ID_RETENTION_HOURS). */
  batchIdHours: number;
}
