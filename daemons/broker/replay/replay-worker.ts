/**
 * The replay worker of a broker process (started when EVALUATOR_URL is set): takes one Running
 * job at a time with a lease (two replicas never run one job; a job whose holder died is taken
 * over when its lease expires and resumes from its committed cursor), keeps the lease alive while
 * it works, and records how the job ended:
 *   - Complete: every row of the window was written;
 *   - Superseded: the evaluator answered 409 (it holds another generation of the policy);
 *   - Failed: the evaluator refused the request for good (a 4xx other than 409, a malformed answer).
 * Anything else (evaluator down, database errors) is retried with capped backoff, the job staying
 * Running with the last error shown.
 */
import { abortableSleep, type Sleep } from '../../../runtime/abortable-sleep.js';
import { backoffMs } from '../../../runtime/backoff.js';
import type { Clock } from '../../../runtime/clock.js';
import { EvaluatorError, SupersededError, type EvaluatorClient } from '../evaluator-client.js';
import type { Logger } from '../../../runtime/logger.js';
import type { BrokerMetrics } from '../metrics.js';
import { LostReplayError, type ReplayLease, type ReplayStore } from '../store/replay-types.js';
import { runPasses, type ReplayPassOptions } from './replay-pass.js';

export interface ReplayWorkerOptions {
  store: ReplayStore;
  client: EvaluatorClient;
  clock: Clock;
  logger: Logger;
  metrics?: BrokerMetrics;
  /** Flow ids per revisit of the retry pass (default 5000; a main-pass page is one slot of the replay bucket). */
  pageSize?: number;
  /** Distinct flows per evaluator call (default 5000). */
  batchSize?: number;
  concurrency?: number;
  leaseMs?: number;
  /** See replay-pages.ts: how long rows with pending observations are visited again; default 2000. */
  settleMs?: number;
  idleMs?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  maxBackoffMs?: number;
  sleep?: Sleep;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

type Outcome = 'done' | 'retry';

export class ReplayWorker {
  private readonly stopping = new AbortController();
  private wakeIdle = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly o: Required<Omit<ReplayWorkerOptions, 'metrics'>> & Pick<ReplayWorkerOptions, 'metrics'>;

  constructor(opts: ReplayWorkerOptions) {
    this.o = {
      pageSize: 5000, batchSize: 5000, concurrency: 4, leaseMs: 30_000, settleMs: 2000, idleMs: 1000, retryDelayMs: 100, maxRetryDelayMs: 2000, maxBackoffMs: 30_000,
      sleep: abortableSleep, ...opts,
    };
  }

  start(): void {
    this.loop ??= this.work();
  }

  /** A job was created: look at once instead of at the next poll. */
  wake(): void {
    this.wakeIdle.abort();
    this.wakeIdle = new AbortController();
  }

  /** Stops after the page in progress; a held job is released for another replica. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** Takes one job and runs it to its end; false when there was none. */
  async runOnce(): Promise<boolean> {
    const { store, clock, leaseMs } = this.o;
    const lease = await store.claim(clock.now(), leaseMs);
    if (lease === undefined) return false;
    this.o.logger.info('replay started', { id: lease.job.id, policy: lease.job.policy, cursor: lease.cursor });
    await this.run(lease);
    return true;
  }

  private async work(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let ran = false;
      try {
        ran = await this.runOnce();
      } catch (err) {
        this.o.logger.warn('cannot take a replay job; retrying', { error: err });
      }
      if (!ran) await this.o.sleep(this.o.idleMs, AbortSignal.any([this.stopping.signal, this.wakeIdle.signal]));
    }
  }

  private async run(lease: ReplayLease): Promise<void> {
    const lost = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, lost.signal]);
    const beat = setInterval(() => {
      this.o.store.renew(lease, this.o.clock.now(), this.o.leaseMs).catch((err: unknown) => {
        if (err instanceof LostReplayError) lost.abort();
      });
    }, Math.max(10, Math.floor(this.o.leaseMs / 3)));
    try {
      for (let failures = 0; ; failures++) {
        if ((await this.attempt(lease, signal)) === 'done') return;
        const delay = backoffMs(failures + 1, { initialMs: 500, maxMs: this.o.maxBackoffMs });
        await this.o.sleep(delay, signal);
      }
    } finally {
      clearInterval(beat);
    }
  }

  private passOptions(signal: AbortSignal): ReplayPassOptions {
    const o = this.o;
    return {
      store: o.store, client: o.client, now: () => o.clock.now(), pageSize: o.pageSize, batchSize: o.batchSize, concurrency: o.concurrency, leaseMs: o.leaseMs,
      settleMs: o.settleMs, retryDelayMs: o.retryDelayMs, maxRetryDelayMs: o.maxRetryDelayMs, sleep: o.sleep, signal,
      onPage: (rows, verdicts) => {
        o.metrics?.replayFlows.inc(rows);
        o.metrics?.verdictsStored.inc(verdicts);
      },
    };
  }

  /** One go at the job; 'retry' after a transient failure. */
  private async attempt(lease: ReplayLease, signal: AbortSignal): Promise<Outcome> {
    const { store, clock, logger } = this.o;
    try {
      if (signal.aborted) throw new LostReplayError(lease.job.id);
      await runPasses(this.passOptions(signal), lease);
      if (signal.aborted) throw new LostReplayError(lease.job.id);
      await store.finish(lease, 'Complete', clock.now());
      this.finished(lease, 'Complete');
      return 'done';
    } catch (err) {
      if (err instanceof SupersededError) {
        await this.end(lease, 'Superseded', `superseded: ${err.message}`);
        return 'done';
      }
      if (err instanceof EvaluatorError && !err.retryable) {
        await this.end(lease, 'Failed', err.message);
        return 'done';
      }
      if (err instanceof LostReplayError || signal.aborted) {
        await store.release(lease).catch(() => undefined);
        logger.info('replay handed back', { id: lease.job.id, cursor: lease.cursor });
        return 'done';
      }
      logger.warn('replay failed; retrying', { id: lease.job.id, error: err });
      await store.noteError(lease, message(err)).catch(() => undefined);
      return 'retry';
    }
  }

  private async end(lease: ReplayLease, state: 'Superseded' | 'Failed', error: string): Promise<void> {
    await this.o.store.finish(lease, state, this.o.clock.now(), error).catch((err: unknown) => {
      this.o.logger.warn('cannot record the end of a replay', { id: lease.job.id, state, error: err });
    });
    this.finished(lease, state);
  }

  private finished(lease: ReplayLease, state: string): void {
    this.o.metrics?.replayJobs.inc({ result: state });
    this.o.logger.info('replay finished', { id: lease.job.id, state, flowsScanned: lease.job.flowsScanned, verdicts: lease.job.verdicts });
  }
}
