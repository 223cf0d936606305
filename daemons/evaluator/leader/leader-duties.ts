/**
 * What only the leader does, wired to the Lease: when this replica acquires the lease the status
 * reconciler (with its Events) starts; when it loses the lease the reconciler stops at once and
 * forgets everything, since the next leader re-derives all of it from the broker and the stored
 * status. Every replica evaluates regardless (the HTTP app does not look at leadership).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../runtime/logger.js';
import type { BrokerClient, EnforcementClient } from '../broker-client.js';
import { createEnforcementEvents } from '../events/enforcement-events.js';
import type { ClusterModel } from '../cluster/cluster-model.js';
import type { Duration } from '../config.js';
import { createOffenderEvents } from '../events/offender-events.js';
import { createStatusReconciler, type ReconcilerOptions } from '../status/reconciler.js';
import type { StatusMetrics } from '../status/status-metrics.js';
import { createStatusWriter } from '../status/status-writer.js';
import { createLeaderElector, type LeaderElector } from './lease-elector.js';

export interface LeaderDutiesOptions {
  model: Pick<ClusterModel, 'auditPolicies' | 'onAuditPolicyChange'>;
  broker: BrokerClient & EnforcementClient;
  identity: string;
  lease: { namespace: string; name: string; durationMs: number; retryMs?: number };
  window: Duration;
  statusIntervalMs: number;
  logger: Logger;
  metrics?: StatusMetrics;
  /** Reconciler tuning (tests and the benchmark shorten the tick and poll). */
  tuning?: Pick<ReconcilerOptions, 'tickMs' | 'pollMs' | 'maxWritesPerSecond' | 'refreshMaxAgeMs'>;
  eventIntervalMs?: number;
  /** How often the leader asks the broker for enforcement mismatches (default 5 s). */
  enforcementPollMs?: number;
}

export interface LeaderDuties {
  elector: LeaderElector;
  /** Stops leading; with release the lease is given up for a follower to take at once. */
  stop(release?: boolean): Promise<void>;
}

export function startLeaderDuties(kc: KubeConfig, opts: LeaderDutiesOptions): LeaderDuties {
  const { logger, metrics } = opts;
  const events = createOffenderEvents(kc, {
    identity: opts.identity, logger, minIntervalMs: opts.eventIntervalMs, onEmitted: () => metrics?.eventsEmitted.inc(),
  });
  const enforcement = createEnforcementEvents(kc, {
    broker: opts.broker, identity: opts.identity, logger, minIntervalMs: opts.eventIntervalMs, pollMs: opts.enforcementPollMs,
    onMismatch: (m) => metrics?.enforcementMismatches.inc({ namespace: m.policy.namespace, policy: m.policy.name, outcome: m.outcome }),
    onEmitted: () => metrics?.eventsEmitted.inc(),
  });
  const reconciler = createStatusReconciler({
    model: opts.model, broker: opts.broker, writer: createStatusWriter(kc), events, window: opts.window,
    statusIntervalMs: opts.statusIntervalMs, logger, metrics, ...opts.tuning,
  });
  // Leadership changes are serialised: a stop must finish before a later start.
  let chain: Promise<void> = Promise.resolve();
  const elector = createLeaderElector(kc, {
    ...opts.lease,
    identity: opts.identity,
    logger,
    onTransition: () => metrics?.leaseTransitions.inc(),
    onChange: (leading) => {
      metrics?.leader.set(leading ? 1 : 0);
      chain = chain.then(() => {
        if (leading) {
          reconciler.start();
          enforcement.start();
          return undefined;
        }
        return Promise.all([reconciler.stop(), enforcement.stop()]).then(() => undefined);
      }).catch((err: unknown) => {
        logger.error('status reconciler failed to start or stop', { error: err });
      });
    },
  });
  elector.start();
  return {
    elector,
    async stop(release = true): Promise<void> {
      // The reconciler first: no status write may follow the release of the lease.
      await reconciler.stop();
      await enforcement.stop();
      await elector.stop(release);
      await chain;
    },
  };
}
