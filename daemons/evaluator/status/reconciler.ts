/**
 * The status reconciler, run by the leader only. For each audit policy the model holds it walks
 * one small state machine, one policy at a time:
 *
 *   new        a generation not yet reconciled: conditions say Replaying (Synced=False,
 *              Evaluating=True), and the broker is asked to replay [now - WINDOW, now] against it
 *   replaying  the job is polled; Complete -> the summary of that uid+generation is read and the
 *              status written with observedGeneration = that generation; Failed or Superseded ->
 *              asked again after a backoff
 *   synced     the counts are refreshed at most once per STATUS_INTERVAL, written only when they
 *              changed (or the last write is old), and new offenders become Events
 *
 * Nothing here is needed for correctness after a failover: a new leader starts every policy at
 * `new`, sees from the stored status that a generation is already reconciled (skipping the
 * replay), and re-reads the counts from the broker, so they are the same whichever replica writes.
 * A policy with compile problems is not replayed: Ready=False with the problems, zero counts.
 */
import { backoffMs } from '../../../runtime/backoff.js';
import type { Logger } from '../../../runtime/logger.js';
import type { BrokerClient, PolicySummary, ReplayJob } from '../broker-client.js';
import type { AuditPolicyVersion, ClusterModel } from '../cluster/cluster-model.js';
import type { Duration } from '../config.js';
import type { OffenderEvents } from '../events/offender-events.js';
import { evaluationOf, MAX_OFFENDERS, replayingStatus, syncedStatus, type PolicyStatus } from './status-document.js';
import type { StatusMetrics } from './status-metrics.js';
import type { StatusWriter, StoredPolicy } from './status-writer.js';
import { createWriteLimiter } from './write-limiter.js';

export interface ReconcilerOptions {
  model: Pick<ClusterModel, 'auditPolicies' | 'onAuditPolicyChange'>;
  broker: BrokerClient;
  writer: StatusWriter;
  events: OffenderEvents;
  window: Duration;
  statusIntervalMs: number;
  logger: Logger;
  metrics?: StatusMetrics;
  now?: () => number;
  /** How often due policies are looked at (default 250 ms). */
  tickMs?: number;
  /** How often a running replay is polled (default 500 ms). */
  pollMs?: number;
  /** Status writes per second over all policies (default 20). */
  maxWritesPerSecond?: number;
  /** Unchanged counts are written again after this long, to move lastEvaluated (default max(60 s, 6 intervals)). */
  refreshMaxAgeMs?: number;
}

export interface StatusReconciler {
  start(): void;
  stop(): Promise<void>;
}

type Phase = 'new' | 'replaying' | 'synced';

interface PolicyState {
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

/** The wait before a policy is tried again after its `failures`-th failure in a row: 1 s, 2 s, … 30 s. */
const retryIn = (failures: number): number => backoffMs(failures + 1, { initialMs: 500, maxMs: 30_000 });

const EMPTY_SUMMARY: PolicySummary = { since: '', until: '', allow: 0, wouldDeny: 0, unidentifiedPeers: 0, topOffenders: [] };

/** The window in the broker's duration syntax (whole hours, minutes or seconds). */
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

function digest(v: AuditPolicyVersion, s: PolicySummary): string {
  const top = s.topOffenders.slice(0, MAX_OFFENDERS).map((o) => `${o.src.ip}|${o.src.pod}|${o.dst.ip}|${o.dst.pod}|${o.port}|${o.direction}|${o.count}|${o.lastSeen}|${JSON.stringify(o.states)}`);
  return JSON.stringify([v.generation, v.problems, s.allow, s.wouldDeny, s.unidentifiedPeers, top]);
}

export function createStatusReconciler(opts: ReconcilerOptions): StatusReconciler {
  const now = opts.now ?? Date.now;
  const tickMs = opts.tickMs ?? 250;
  const pollMs = opts.pollMs ?? 500;
  const refreshMaxAgeMs = opts.refreshMaxAgeMs ?? Math.max(60_000, 6 * opts.statusIntervalMs);
  const limiter = createWriteLimiter(opts.maxWritesPerSecond ?? 20, now);
  const { broker, writer, events, logger, metrics } = opts;
  const states = new Map<string, PolicyState>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = true;

  const fresh = (v: AuditPolicyVersion): PolicyState => ({ v, phase: 'new', failures: 0, dueAt: 0, lastWriteAt: -Infinity });

  function upsert(v: AuditPolicyVersion, deleted: boolean): void {
    if (deleted) {
      states.delete(v.uid);
      events.forget(v.uid);
      return;
    }
    const old = states.get(v.uid);
    // A new object replaces the state, so a step still running for the old generation writes into a detached object.
    if (old?.v.generation !== v.generation) states.set(v.uid, fresh(v));
    else old.v = v;
  }

  async function write(s: PolicyState, build: (stored: StoredPolicy) => PolicyStatus | null): Promise<boolean> {
    const result = await writer.write(s.v, build);
    metrics?.statusWrites.inc({ result });
    if (result === 'gone') states.delete(s.v.uid);
    if (result === 'written') s.lastWriteAt = now();
    return result !== 'gone';
  }

  /** Reads the summary (none for an invalid spec), writes the reconciled status, announces new offenders. */
  async function publish(s: PolicyState, force: boolean): Promise<void> {
    const v = s.v;
    const summary = v.problems.length > 0 ? EMPTY_SUMMARY : await broker.summary({ uid: v.uid, generation: v.generation, window: brokerWindow(opts.window.ms), top: MAX_OFFENDERS });
    const d = digest(v, summary);
    const stale = now() - s.lastWriteAt >= refreshMaxAgeMs;
    let written: PolicyStatus | undefined;
    let published: PolicyStatus['evaluation'];
    const alive = force || stale || d !== s.lastDigest
      ? await write(s, (stored) => {
        published = stored.status.observedGeneration === v.generation ? stored.status.evaluation : undefined;
        written = syncedStatus(v, summary, opts.window.text, { ...stored.status, generation: stored.generation }, new Date(now()));
        return written;
      })
      : true;
    if (!alive) return;
    s.lastDigest = d;
    s.phase = 'synced';
    s.dueAt = now() + opts.statusIntervalMs;
    // Also when nothing was written: offenders held back by the Event rate limit are due later.
    if (v.problems.length === 0) {
      const offenders = written?.evaluation?.topOffenders ?? evaluationOf(summary, opts.window.text, new Date(now())).topOffenders;
      await events.observe(v, offenders, published?.topOffenders);
    }
  }

  async function begin(s: PolicyState): Promise<void> {
    if (s.v.problems.length > 0) {
      await publish(s, true);
      return;
    }
    let done = false;
    const alive = await write(s, (stored) => {
      done = isReconciled(s.v, stored);
      return done ? null : replayingStatus(s.v, stored.status, new Date(now()), s.failure);
    });
    if (!alive) return;
    if (done) {
      await publish(s, false);
      return;
    }
    const job = await broker.createReplay(s.v, new Date(now() - opts.window.ms));
    s.replayId = job.id;
    s.replayStartedAt ??= now();
    s.phase = 'replaying';
    await follow(s, job);
  }

  async function follow(s: PolicyState, job: ReplayJob): Promise<void> {
    if (job.state === 'Running') {
      s.dueAt = now() + pollMs;
      return;
    }
    metrics?.replays.inc({ outcome: job.state });
    if (job.state === 'Complete') {
      if (s.replayStartedAt !== undefined) metrics?.replayDuration.observe((now() - s.replayStartedAt) / 1000);
      await publish(s, true);
      return;
    }
    s.failures++;
    s.failure = `replay ${job.id} ended ${job.state}${job.error ? `: ${job.error}` : ''}`;
    logger.warn('replay did not complete; asking again', { policy: `${s.v.namespace}/${s.v.name}`, generation: s.v.generation, failure: s.failure });
    s.phase = 'new';
    s.dueAt = now() + retryIn(s.failures);
  }

  async function step(s: PolicyState): Promise<void> {
    try {
      if (s.phase === 'new') await begin(s);
      else if (s.phase === 'replaying' && s.replayId !== undefined) await follow(s, await broker.getReplay(s.replayId));
      else await publish(s, false);
    } catch (err) {
      if (s.phase !== 'synced') metrics?.replays.inc({ outcome: 'error' });
      else metrics?.statusWrites.inc({ result: 'error' });
      s.failures++;
      s.dueAt = now() + retryIn(s.failures);
      logger.warn('status reconcile failed; retrying', { policy: `${s.v.namespace}/${s.v.name}`, generation: s.v.generation, phase: s.phase, error: err });
    }
  }

  async function tick(): Promise<void> {
    // Longest-waiting first: with the budget smaller than the demand, walking in insertion order
    // would hand every token to the first policies and starve the rest (a new one included).
    const t = now();
    const due = [...states.values()].filter((s) => s.dueAt <= t).sort((a, b) => a.dueAt - b.dueAt);
    for (const s of due) {
      if (stopped) return;
      if (states.get(s.v.uid) !== s) continue;
      // The global write budget is spent: the rest wait for the next tick.
      if (!limiter.tryTake()) return;
      await step(s);
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, tickMs);
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      unsubscribe = opts.model.onAuditPolicyChange(upsert);
      for (const v of opts.model.auditPolicies()) upsert(v, false);
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
      await running;
      states.clear();
      events.reset();
    },
  };
}
