/**
 * One audit policy's walk through the reconciler's state machine (reconciler.ts says why these
 * phases): `step` does whatever the policy's phase asks next, and leaves in its state when it is
 * due again. It owns no timers and no list of policies: the reconciler's loop decides which
 * policy steps, and when.
 *
 *   new        write Replaying (or see from the stored status that this generation is already
 *              reconciled) and ask the broker for a replay of the window
 *   replaying  poll the job: Complete -> publish; Failed or Superseded -> new, after a backoff
 *   synced     publish again: re-read the counts, write them when they changed or the last write
 *              is old, and announce new offenders as Events
 */
import { backoffMs } from '../../../runtime/backoff.js';
import type { Logger } from '../../../runtime/logger.js';
import type { ReplayProgress } from '../../../contracts/replay.js';
import type { SummaryAnswer } from '../../../contracts/summary.js';
import type { BrokerClient } from '../broker-client.js';
import type { AuditPolicyVersion } from '../cluster/cluster-model.js';
import type { Duration } from '../config.js';
import type { OffenderEvents } from '../events/offender-events.js';
import { evaluationOf, MAX_OFFENDERS, replayingStatus, statusOffendersOf, syncedStatus, type PolicyStatus } from './status-document.js';
import type { StatusMetrics } from './status-metrics.js';
import type { StatusWriter, StoredPolicy } from './status-writer.js';

export type Phase = 'new' | 'replaying' | 'synced';

/** What the reconciler holds per policy between steps. */
export interface PolicyState {
  v: AuditPolicyVersion;
  phase: Phase;
  replayId?: string;
  replayStartedAt?: number;
  failure?: string;
  failures: number;
  dueAt: number;
  lastDigest?: string;
  lastWriteAt: number;
}

/** What the steps talk to, and their timings. */
export interface StepContext {
  broker: BrokerClient;
  writer: StatusWriter;
  events: OffenderEvents;
  logger: Logger;
  metrics: StatusMetrics | undefined;
  window: Duration;
  statusIntervalMs: number;
  pollMs: number;
  refreshMaxAgeMs: number;
  now: () => number;
  /** Called when the policy is gone from the API server: the reconciler drops its state. */
  forget: (uid: string) => void;
}

/** A generation not yet looked at: due at once. */
export function freshState(v: AuditPolicyVersion): PolicyState {
  return { v, phase: 'new', failures: 0, dueAt: 0, lastWriteAt: -Infinity };
}

/** The wait before a policy is tried again after its `failures`-th failure in a row: 1 s, 2 s, … 30 s. */
const retryIn = (failures: number): number => backoffMs(failures + 1, { initialMs: 500, maxMs: 30_000 });

const EMPTY_SUMMARY: SummaryAnswer = { since: '', until: '', allow: 0, wouldDeny: 0, unidentifiedPeers: 0, topOffenders: [] };

/**
 * The window in whole hours, minutes or seconds: the broker reads the whole duration grammar, but
 * during a rolling upgrade an older broker may answer, which read only this.
 */
export function brokerWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

function isReconciled(v: AuditPolicyVersion, stored: StoredPolicy): boolean {
  const s = stored.status;
  const synced = s.conditions?.find((c) => c.type === 'Synced');
  return s.observedGeneration === v.generation && synced?.status === 'True' && synced.observedGeneration === v.generation;
}

/**
 * What a status write would change: equal digests need no write. Built from the offenders exactly
 * as the status holds them, so every field the status shows (namespaces and protocol included)
 * makes a change, and nothing it leaves out does.
 */
export function statusDigest(v: AuditPolicyVersion, s: SummaryAnswer): string {
  return JSON.stringify([v.generation, v.problems, s.allow, s.wouldDeny, s.unidentifiedPeers, statusOffendersOf(s)]);
}

export class PolicySteps {
  constructor(private readonly ctx: StepContext) {}

  /** The next step of the policy's phase; a failure is logged and the policy retried after a backoff. */
  async step(s: PolicyState): Promise<void> {
    try {
      if (s.phase === 'new') await this.begin(s);
      else if (s.phase === 'replaying' && s.replayId !== undefined) await this.follow(s, await this.ctx.broker.getReplay(s.replayId));
      else await this.publish(s, false);
    } catch (err) {
      const { metrics, logger, now } = this.ctx;
      if (s.phase !== 'synced') metrics?.replays.inc({ outcome: 'error' });
      else metrics?.statusWrites.inc({ result: 'error' });
      s.failures++;
      s.dueAt = now() + retryIn(s.failures);
      logger.warn('status reconcile failed; retrying', { policy: `${s.v.namespace}/${s.v.name}`, generation: s.v.generation, phase: s.phase, error: err });
    }
  }

  /** False when the policy is gone. */
  private async write(s: PolicyState, build: (stored: StoredPolicy) => PolicyStatus | null): Promise<boolean> {
    const result = await this.ctx.writer.write(s.v, build);
    this.ctx.metrics?.statusWrites.inc({ result });
    if (result === 'gone') this.ctx.forget(s.v.uid);
    if (result === 'written') s.lastWriteAt = this.ctx.now();
    return result !== 'gone';
  }

  /** Reads the summary (none for an invalid spec), writes the reconciled status, announces new offenders. */
  private async publish(s: PolicyState, force: boolean): Promise<void> {
    const { broker, window, now } = this.ctx;
    const v = s.v;
    const summary = v.problems.length > 0 ? EMPTY_SUMMARY : await broker.summary({ uid: v.uid, generation: v.generation, window: brokerWindow(window.ms), top: MAX_OFFENDERS });
    const d = statusDigest(v, summary);
    const stale = now() - s.lastWriteAt >= this.ctx.refreshMaxAgeMs;
    let written: PolicyStatus | undefined;
    let published: PolicyStatus['evaluation'];
    const alive = force || stale || d !== s.lastDigest
      ? await this.write(s, (stored) => {
        published = stored.status.observedGeneration === v.generation ? stored.status.evaluation : undefined;
        written = syncedStatus(v, summary, window.text, { ...stored.status, generation: stored.generation }, new Date(now()));
        return written;
      })
      : true;
    if (!alive) return;
    s.lastDigest = d;
    s.phase = 'synced';
    s.dueAt = now() + this.ctx.statusIntervalMs;
    // Also when nothing was written: offenders held back by the Event rate limit are due later.
    if (v.problems.length === 0) {
      const offenders = written?.evaluation?.topOffenders ?? evaluationOf(summary, window.text, new Date(now())).topOffenders;
      await this.ctx.events.observe(v, offenders, published?.topOffenders);
    }
  }

  /** Replaying, unless the stored status shows this generation reconciled already (a failover). */
  private async begin(s: PolicyState): Promise<void> {
    if (s.v.problems.length > 0) {
      await this.publish(s, true);
      return;
    }
    const { now } = this.ctx;
    let done = false;
    const alive = await this.write(s, (stored) => {
      done = isReconciled(s.v, stored);
      return done ? null : replayingStatus(s.v, stored.status, new Date(now()), s.failure);
    });
    if (!alive) return;
    if (done) {
      await this.publish(s, false);
      return;
    }
    const job = await this.ctx.broker.createReplay(s.v, new Date(now() - this.ctx.window.ms));
    s.replayId = job.id;
    s.replayStartedAt ??= now();
    s.phase = 'replaying';
    await this.follow(s, job);
  }

  private async follow(s: PolicyState, job: ReplayProgress): Promise<void> {
    const { metrics, now } = this.ctx;
    if (job.state === 'Running') {
      s.dueAt = now() + this.ctx.pollMs;
      return;
    }
    metrics?.replays.inc({ outcome: job.state });
    if (job.state === 'Complete') {
      if (s.replayStartedAt !== undefined) metrics?.replayDuration.observe((now() - s.replayStartedAt) / 1000);
      await this.publish(s, true);
      return;
    }
    s.failures++;
    s.failure = `replay ${job.id} ended ${job.state}${job.error ? `: ${job.error}` : ''}`;
    this.ctx.logger.warn('replay did not complete; asking again', { policy: `${s.v.namespace}/${s.v.name}`, generation: s.v.generation, failure: s.failure });
    s.phase = 'new';
    s.dueAt = now() + retryIn(s.failures);
  }
}
