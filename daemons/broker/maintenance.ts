/**
 * The maintenance loop: creates tomorrow's partitions ahead of time and applies retention, on
 * start and then every `intervalMs`. Failures are logged and counted, never fatal: the next run
 * tries again, and ingest creates a missing partition on demand anyway.
 */
import type { Clock } from '../../runtime/clock.js';
import type { Logger } from '../../runtime/logger.js';
import type { BrokerMetrics } from './metrics.js';
import type { Store } from './store/types.js';

export interface Maintenance {
  runOnce(): Promise<void>;
  stop(): void;
}

export function startMaintenance(store: Store, clock: Clock, logger: Logger, metrics: BrokerMetrics, intervalMs = 3_600_000): Maintenance {
  const runOnce = async (): Promise<void> => {
    try {
      const now = clock.now();
      await store.ensurePartitions(now);
      const dropped = await store.applyRetention(now);
      metrics.retentionRuns.inc({ result: 'ok' });
      metrics.partitionsDropped.inc(dropped.length);
      if (dropped.length > 0) logger.info('retention dropped partitions', { partitions: dropped });
    } catch (err) {
      metrics.retentionRuns.inc({ result: 'error' });
      logger.warn('maintenance run failed, will retry', { error: err });
    }
  };
  const timer = setInterval(() => {
    void runOnce();
  }, intervalMs);
  timer.unref();
  return {
    runOnce,
    stop: () => {
      clearInterval(timer);
    },
  };
}
