/**
 * The evaluation loop: `concurrency` workers each claim a batch of flows with unevaluated
 * observations, send it to the evaluator in one call, and store the verdicts. Ingest never waits
 * for it: flows are stored first and picked up here. When the evaluator is down, the claim is
 * released, the flows stay pending, and the worker backs off (capped, exponential) until the
 * evaluator answers again; each observation is judged once (see store/claims.ts).
 *
 * The evaluator answers what is stored and no more (contracts/evaluate.ts): the audit verdicts
 * of the direction the observation stands for (a flow seen at the source judges egress, one seen
 * at the destination ingress), the pods at each end, and what the enforced NetworkPolicies
 * predict, kept as enforcement checks beside the flow's connection state for `verify`
 * (verify/enforcement.ts).
 */
import { abortableSleep, type Sleep } from '../../../runtime/abortable-sleep.js';
import { backoffMs } from '../../../runtime/backoff.js';
import type { Clock } from '../../../runtime/clock.js';
import type { EvaluateItem, EvaluateResult, EvaluatorClient } from '../evaluator-client.js';
import type { Logger } from '../../../runtime/logger.js';
import type { BrokerMetrics } from '../metrics.js';
import type { ClaimedFlow, FlowJudgement, NewVerdict, Store, StoredCheckTally, StoredFlow } from '../store/types.js';
import { endName } from '../../../contracts/flow-end-label.js';
import { checksOf } from '../verify/enforcement.js';

export interface DispatcherOptions {
  store: Store;
  client: EvaluatorClient;
  clock: Clock;
  logger: Logger;
  metrics: BrokerMetrics;
  batchSize?: number;
  concurrency?: number;
  /** Keep the enforced NetworkPolicies' predictions (`verify`); default true. */
  enforcementChecks?: boolean;
  /** How long a claim is held; longer than a call with all its retries. */
  leaseMs?: number;
  /** Poll interval when there is nothing to do (a stored batch wakes the workers earlier). */
  idleMs?: number;
  maxBackoffMs?: number;
  sleep?: Sleep;
}

export function toEvaluateItem(c: ClaimedFlow): EvaluateItem {
  const f = c.flow;
  return {
    id: f.id,
    observedAt: f.lastSeen,
    count: c.pending,
    direction: f.direction,
    flow: { src: endName(f.src), dst: endName(f.dst), protocol: f.protocol, port: f.dst.port },
  };
}

/** The verdicts to store from the evaluator's answer for a flow observed in `direction`. */
export function auditVerdicts(answer: EvaluateResult, direction: StoredFlow['direction']): NewVerdict[] {
  return answer.verdicts.map((v) => ({
    policy: { uid: v.ref.uid ?? '', kind: v.ref.kind, namespace: v.ref.namespace, name: v.ref.name, generation: v.ref.generation ?? 0 },
    direction,
    verdict: v.verdict,
    reason: v.reason,
  }));
}

/** Moves the checks counter once per label pair: the store sums a claim's checks per pair. */
function countChecks(metrics: BrokerMetrics, checks: readonly StoredCheckTally[]): void {
  for (const c of checks) metrics.enforcementChecks.inc({ predicted: c.predicted, state: c.state }, c.count);
}

export class EvaluationDispatcher {
  private readonly stopping = new AbortController();
  private wakeIdle = new AbortController();
  private workers: Promise<void>[] = [];
  private readonly o: Required<Omit<DispatcherOptions, 'sleep'>> & Pick<DispatcherOptions, 'sleep'>;

  constructor(opts: DispatcherOptions) {
    this.o = { batchSize: 500, concurrency: 2, leaseMs: 120_000, idleMs: 1000, maxBackoffMs: 30_000, ...opts, enforcementChecks: opts.enforcementChecks ?? true };
  }

  /** Claims and judges one batch; returns the number of flows judged (0: nothing pending). Throws when the evaluator fails. */
  async runOnce(): Promise<number> {
    const { store, client, clock, metrics } = this.o;
    const claim = await store.claimPending(this.o.batchSize, clock.now(), this.o.leaseMs);
    if (claim.flows.length === 0) return 0;
    metrics.evaluationInFlight.inc(claim.flows.length);
    try {
      const results = await client.evaluate(claim.flows.map(toEvaluateItem));
      const judgements: FlowJudgement[] = [];
      for (const c of claim.flows) {
        const answer = results.get(c.flow.id);
        if (answer) {
          judgements.push({
            flowId: c.flow.id,
            verdicts: auditVerdicts(answer, c.flow.direction),
            resolved: { src: answer.src, dst: answer.dst },
            enforcement: this.o.enforcementChecks ? checksOf(answer.enforcement) : [],
          });
        }
      }
      if (judgements.length < claim.flows.length) {
        this.o.logger.warn('evaluator left flows unanswered; they stay pending', { missing: claim.flows.length - judgements.length });
      }
      const stored = await store.completeClaim(claim, judgements, clock.now(), (tallies, checks) => {
        metrics.policies.record(tallies);
        countChecks(metrics, checks);
      });
      metrics.verdictsStored.inc(stored);
      return judgements.length;
    } catch (err) {
      await store.releaseClaim(claim).catch(() => undefined); // the lease expires anyway
      throw err;
    } finally {
      metrics.evaluationInFlight.dec(claim.flows.length);
    }
  }

  start(): void {
    for (let i = 0; i < this.o.concurrency; i++) this.workers.push(this.work());
  }

  /** New flows were stored: idle workers look at once instead of at their next poll. */
  wake(): void {
    this.wakeIdle.abort();
    this.wakeIdle = new AbortController();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return (this.o.sleep ?? abortableSleep)(ms, signal);
  }

  private async work(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const n = await this.runOnce();
        failures = 0;
        if (n === 0) await this.sleep(this.o.idleMs, AbortSignal.any([this.stopping.signal, this.wakeIdle.signal]));
      } catch (err) {
        failures++;
        const delay = backoffMs(failures, { initialMs: 500, maxMs: this.o.maxBackoffMs });
        this.o.logger.warn('evaluation failed; flows stay pending, retrying', { error: err, retryInMs: delay, failures });
        await this.sleep(delay, this.stopping.signal);
      }
    }
  }
}
