/**
 * The status writer's and the leader's Prometheus metrics, registered on the evaluator's
 * registry (metrics.ts) so one /metrics shows them with the model's.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface StatusMetrics {
  /** Status patches by result: written, gone (the object was deleted), skipped, error. */
  statusWrites: Counter<'result'>;
  eventsEmitted: Counter;
  /** Flows found where an enforced NetworkPolicy and the kernel disagree (each counted once by the leader that found it). */
  enforcementMismatches: Counter<'namespace' | 'policy' | 'outcome'>;
  /** Replays by outcome: Complete, Failed, Superseded, error (the broker could not be asked). */
  replays: Counter<'outcome'>;
  /** Seconds from asking for a replay to seeing it Complete. */
  replayDuration: Histogram;
  /** 1 while this replica holds the Lease. */
  leader: Gauge;
  /** Times this replica acquired the Lease. */
  leaseTransitions: Counter;
}

export function createStatusMetrics(registry: Registry, prefix = 'kguardian_evaluator_'): StatusMetrics {
  const registers = [registry];
  return {
    statusWrites: new Counter({ name: `${prefix}status_writes_total`, help: 'Status subresource patches, by result.', labelNames: ['result'], registers }),
    eventsEmitted: new Counter({ name: `${prefix}events_emitted_total`, help: 'WouldDeny and EnforcementMismatch Events written.', registers }),
    enforcementMismatches: new Counter({
      name: `${prefix}enforcement_mismatches_total`,
      help: 'Flows found where an enforced NetworkPolicy and the kernel disagree (outcome NotEnforced or DroppedElsewhere), by policy.',
      labelNames: ['namespace', 'policy', 'outcome'],
      registers,
    }),
    replays: new Counter({ name: `${prefix}replays_total`, help: 'Replays of a policy generation, by outcome.', labelNames: ['outcome'], registers }),
    replayDuration: new Histogram({
      name: `${prefix}replay_duration_seconds`,
      help: 'Seconds from asking the broker for a replay to seeing it complete.',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    leader: new Gauge({ name: `${prefix}leader`, help: '1 while this replica holds the leader Lease, else 0.', registers }),
    leaseTransitions: new Counter({ name: `${prefix}lease_transitions_total`, help: 'Times this replica acquired the leader Lease.', registers }),
  };
}
