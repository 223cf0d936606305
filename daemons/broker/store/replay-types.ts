/**
 * Replays: after a policy's generation changes, the evaluator's leader asks the broker to re-judge
 * the recorded flows of a window against that one policy generation (POST /v1/replays). A job is
 * a row of `replay_jobs`; a worker holds it with a lease and pages through the window. This module
 * holds the types of that store surface (the request and the job on the wire are in
 * contracts/replay.ts); the SQL is in replays.ts and replay-pages.ts (whose comment explains the
 * counting), and replay/ has the worker.
 */
import type { FlowEndName } from '../../../contracts/flow-end.js';
import type { ReplayJob, ReplayPolicy, ReplayState } from '../../../contracts/replay.js';
import type { Direction, PodRef, Protocol, Verdict } from '../../../policy/types.js';

export interface NewReplay {
  policy: ReplayPolicy;
  since: Date;
}

/** A job held by one worker: the lease token proves it on every write. */
export interface ReplayLease {
  job: ReplayJob;
  token: string;
  /**
   * The main pass has handled every flow bucketed before this time (ms since the epoch; the pass
   * goes slot by slot of the replay bucket), except those in `retry`. 0 before the first slot.
   */
  cursor: number;
  /** Flow ids to come back to (a live claim was in flight, or they changed under the pass). */
  retry: number[];
}

/**
 * A distinct flow of a page: the page's rows grouped by what their evaluation depends on (the
 * endpoints, port, protocol and direction; also the minute when an end has no stamped identity,
 * because the evaluator then resolves its IP at that time). Judged once, it stands for all of them.
 */
export interface ReplayFlow {
  /** The grouping key (replay-tally.ts builds it); judgements name flows by it. */
  key: string;
  /** The latest last_seen of the group's rows. */
  lastSeen: string;
  direction: Direction;
  /** The ends as stored, in the one convention (a name the agent did not stamp is absent). */
  src: FlowEndName;
  dst: FlowEndName;
  port: number;
  protocol: Protocol;
  /** Observations this generation still owes a verdict for, summed over the rows (always > 0). */
  judged: number;
}

/**
 * Owed observations of some rows of one distinct flow, grouped the way their verdict row is stored:
 * per replay bucket, and per row when the row is visited again (see replay-pages.ts).
 */
export interface OwedGroup {
  /** 0, or the flow row's id when it is visited again (its verdict row then carries that flow_id). */
  flowRef: number;
  /** Start of the replay bucket of the rows (ms since the epoch). */
  slot: number;
  /** Which distinct flow: `flow.key`; `identity` is the same without the minute (verdict rows merge minutes). */
  identity: string;
  flow: ReplayFlow;
  /** The latest last_seen of the rows (ms). */
  lastSeen: number;
  /** Observations owed; 0 for a row listed only to be visited again. */
  owed: number;
  /** Ids of the rows owing something, comma-separated (a flow left unjudged is listed for a later visit). */
  owingIds: string;
  /** The rows' connection state: groups never mix states, so each verdict row keeps its rows' one state. */
  state: string;
}

/** What a read found that a page write needs: owed counts, taken in the read's one snapshot. */
export interface PageTally {
  groups: OwedGroup[];
  /** Rows under an active live claim: not counted now, visited again. */
  claimed: number[];
}

/** The rows a read covers, as distinct flows to judge and the tally to write. */
export interface ReplayRows {
  flows: ReplayFlow[];
  tally: PageTally;
}

/** A page of the main pass: one slot [from, to) of the replay bucket. */
export interface ReplayPage extends ReplayRows {
  /** The slot, ms since the epoch; `to` is the next cursor. */
  from: number;
  to: number;
  /** Flow rows in the page; 0: no slot at or after the cursor has any (the pass is over). */
  rows: number;
}

/** The replay's verdict for one distinct flow, or null: the policy does not concern that flow. */
export interface ReplayJudgement {
  key: string;
  verdict: { verdict: Verdict; reason: string } | null;
  /** The pods the evaluator found at each end; they name an end the agent could not stamp. */
  resolved?: { src: PodRef | null; dst: PodRef | null };
}

/** Which flows a page write covers: a slot [from, to) of the main pass (ms), or listed ids of a retry. */
export type PageScope = { kind: 'slot'; from: number; to: number } | { kind: 'ids'; ids: number[] };

export interface PageWrite {
  scope: PageScope;
  /** The read's tally of the scope. */
  tally: PageTally;
  judgements: ReplayJudgement[];
  /** The main pass's new cursor (unchanged for a retry). */
  cursor: number;
  /** Rows read by this page, added to flowsScanned. */
  scanned: number;
}

export interface PageWritten {
  inserted: number;
  /** Flows of the scope that must be judged again later. */
  revisit: number[];
}

/** The lease was lost (expired and taken, or the job was superseded or finished elsewhere). */
export class LostReplayError extends Error {
  constructor(readonly jobId: number) {
    super(`replay ${jobId} is no longer held by this worker`);
    this.name = 'LostReplayError';
  }
}

export interface ReplayStore {
  /** Creates the job, or returns the one for that uid and generation (created: false; a Failed one runs again). */
  create(req: NewReplay, now: Date): Promise<{ job: ReplayJob; created: boolean }>;
  get(id: number): Promise<ReplayJob | undefined>;
  /** Takes a Running job nobody holds (or whose lease expired), oldest first. */
  claim(now: Date, leaseMs: number): Promise<ReplayLease | undefined>;
  /** Extends the lease; throws LostReplayError when it is no longer ours. */
  renew(lease: ReplayLease, now: Date, leaseMs: number): Promise<void>;
  /** Counts the flows the job may concern and records it as flowsTotal. */
  countWindow(lease: ReplayLease): Promise<number>;
  /** The first slot of the replay bucket at or after `cursor` (ms) that has rows of the window. */
  nextSlot(job: ReplayJob, cursor: number): Promise<{ from: number; to: number } | undefined>;
  /**
   * What one slot owes, grouped into distinct flows. `settling`: rows with pending observations
   * are visited again; `now`: live claims whose lease ends later are waited for (see replay-pages.ts).
   */
  readSlot(job: ReplayJob, slot: { from: number; to: number }, o: { now: Date; settling: boolean }): Promise<ReplayPage>;
  /** The same for listed flow rows (those still in the window). */
  readRows(job: ReplayJob, ids: number[], o: { now: Date; settling: boolean }): Promise<ReplayRows>;
  /**
   * Stores the verdicts of a page (its tally joined to the judgements) and the job's progress, in
   * one transaction; throws LostReplayError when the lease is gone.
   */
  writePage(lease: ReplayLease, w: PageWrite, now: Date, leaseMs: number): Promise<PageWritten>;
  finish(lease: ReplayLease, state: Exclude<ReplayState, 'Running'>, now: Date, error?: string): Promise<void>;
  /** Notes an error on a job that keeps running (shown by GET until it succeeds). */
  noteError(lease: ReplayLease, error: string | null): Promise<void>;
  /** Gives the job up so another worker may take it at once (shutdown). */
  release(lease: ReplayLease): Promise<void>;
}
