/**
 * The status reconciler, run by the leader only. For each audit policy the model holds it walks
 * one small state machine (policy-steps.ts), one policy at a time:
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
 *
 * This file is the loop: which policies exist (from the model), which are due, and the global
 * write budget; what a step does is policy-steps.ts.
 */
import type { BrokerClient } from '../broker-client.js';
import type { AuditPolicyVersion, ClusterModel } from '../cluster/cluster-model.js';
import type { Duration } from '../config.js';
import type { OffenderEvents } from '../events/offender-events.js';
import type { Logger } from '../../../runtime/logger.js';
import { freshState, PolicySteps, type PolicyState } from './policy-steps.js';
import type { StatusMetrics } from './status-metrics.js';
import type { StatusWriter } from './status-writer.js';
import { createWriteLimiter, type WriteLimiter } from './write-limiter.js';

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

export function createStatusReconciler(opts: ReconcilerOptions): StatusReconciler {
  return new ReconcileLoop(opts);
}

class ReconcileLoop implements StatusReconciler {
  private readonly states = new Map<string, PolicyState>();
  private readonly steps: PolicySteps;
  private readonly limiter: WriteLimiter;
  private readonly now: () => number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = true;

  constructor(private readonly opts: ReconcilerOptions) {
    this.now = opts.now ?? Date.now;
    this.tickMs = opts.tickMs ?? 250;
    this.limiter = createWriteLimiter(opts.maxWritesPerSecond ?? 20, this.now);
    this.steps = new PolicySteps({
      broker: opts.broker,
      writer: opts.writer,
      events: opts.events,
      logger: opts.logger,
      metrics: opts.metrics,
      window: opts.window,
      statusIntervalMs: opts.statusIntervalMs,
      pollMs: opts.pollMs ?? 500,
      refreshMaxAgeMs: opts.refreshMaxAgeMs ?? Math.max(60_000, 6 * opts.statusIntervalMs),
      now: this.now,
      forget: (uid) => this.states.delete(uid),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.opts.model.onAuditPolicyChange((v, deleted) => {
      this.upsert(v, deleted);
    });
    for (const v of this.opts.model.auditPolicies()) this.upsert(v, false);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.running;
    this.states.clear();
    this.opts.events.reset();
  }

  private upsert(v: AuditPolicyVersion, deleted: boolean): void {
    if (deleted) {
      this.states.delete(v.uid);
      this.opts.events.forget(v.uid);
      return;
    }
    const old = this.states.get(v.uid);
    // A new object replaces the state, so a step still running for the old generation writes into a detached object.
    if (old?.v.generation !== v.generation) this.states.set(v.uid, freshState(v));
    else old.v = v;
  }

  private async tick(): Promise<void> {
    // Longest-waiting first: with the budget smaller than the demand, walking in insertion order
    // would hand every token to the first policies and starve the rest (a new one included).
    const t = this.now();
    const due = [...this.states.values()].filter((s) => s.dueAt <= t).sort((a, b) => a.dueAt - b.dueAt);
    for (const s of due) {
      if (this.stopped) return;
      if (this.states.get(s.v.uid) !== s) continue;
      // The global write budget is spent: the rest wait for the next tick.
      if (!this.limiter.tryTake()) return;
      await this.steps.step(s);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.tickMs);
  }
}
