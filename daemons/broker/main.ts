/**
 * The broker process: reads the environment (config.ts), opens the store (PostgreSQL, or
 * embedded PGlite without DATABASE_URL), and serves createApp() with @hono/node-server, next to
 * the evaluation loop and the maintenance loop. Waits for the database at start-up instead of
 * crashing, and shuts down cleanly on SIGTERM/SIGINT.
 */
import { createApp } from './app.js';
import { createAuthenticator } from '../../runtime/auth/create-authenticator.js';
import { backoffMs } from '../../runtime/backoff.js';
import { systemClock } from '../../runtime/clock.js';
import { ConfigError, loadConfig, retentionOf, type BrokerConfig } from './config.js';
import { EvaluationDispatcher } from './evaluation/dispatcher.js';
import { createEvaluatorClient } from './evaluator-client.js';
import { fileTokenSource } from '../../runtime/token-file.js';
import { startHttpServer } from './http-server.js';
import { jsonLogger, type Logger } from '../../runtime/logger.js';
import { startMaintenance } from './maintenance.js';
import { createMetrics } from './metrics.js';
import { isDatabaseUnavailable } from './middleware/database-errors.js';
import { ReplayWorker } from './replay/replay-worker.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/types.js';

async function openWithRetry(cfg: BrokerConfig, logger: Logger): Promise<Store> {
  const retention = retentionOf(cfg);
  for (let failures = 1; ; failures++) {
    try {
      return await openStore({
        databaseUrl: cfg.databaseUrl,
        dataDir: cfg.dataDir,
        poolSize: cfg.poolSize,
        ingestWriters: cfg.ingestWriters,
        replayBucketMs: cfg.replayBucketMinutes * 60_000,
        retention,
        onIdleError: (err) => {
          logger.warn('database connection lost; the pool reconnects', { error: err });
        },
      });
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const delay = backoffMs(failures, { initialMs: 500, maxMs: 10_000 });
      logger.warn('database unavailable at start-up, retrying', { error: err, retryInMs: delay });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function main(): Promise<void> {
  const logger = jsonLogger();
  let cfg: BrokerConfig;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.error(`invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const store = await openWithRetry(cfg, logger);
  logger.info('store open', { engine: store.engine, dataDir: store.engine === 'pglite' ? cfg.dataDir : undefined });
  const metrics = createMetrics(() => store.poolStats(), true, { maxPolicies: cfg.policyMetricsMaxPolicies, windowMinutes: cfg.policyMetricsWindowMinutes });
  const auth = await createAuthenticator(cfg.authMode, logger);
  const clock = systemClock;
  const retention = retentionOf(cfg);

  let dispatcher: EvaluationDispatcher | undefined;
  let replays: ReplayWorker | undefined;
  // Ends the evaluator calls in flight and their waits between attempts when the broker stops.
  const stopping = new AbortController();
  if (cfg.evaluatorUrl) {
    const client = createEvaluatorClient({
      baseUrl: cfg.evaluatorUrl,
      signal: stopping.signal,
      timeoutMs: cfg.evaluatorTimeoutMs,
      token: cfg.evaluatorTokenFile === undefined ? undefined : fileTokenSource(cfg.evaluatorTokenFile, {
        onError: (err) => {
          logger.warn('cannot read the evaluator token file; keeping the last token', { error: err, file: cfg.evaluatorTokenFile });
        },
      }),
      onAttempt: (result, seconds) => {
        metrics.evaluatorRequests.inc({ result });
        metrics.evaluatorLatency.observe(seconds);
      },
    });
    dispatcher = new EvaluationDispatcher({
      store, client, clock, logger, metrics, batchSize: cfg.evaluatorBatch, concurrency: cfg.evaluatorConcurrency,
      enforcementChecks: cfg.enforcementChecks,
      leaseMs: Math.max(120_000, cfg.evaluatorTimeoutMs * 6),
    });
    dispatcher.start();
    replays = new ReplayWorker({
      store: store.replays, client, clock, logger, metrics, pageSize: cfg.replayPageSize, batchSize: cfg.replayBatch, concurrency: cfg.replayConcurrency,
      settleMs: cfg.replaySettleMs, leaseMs: Math.max(30_000, cfg.evaluatorTimeoutMs * 4),
    });
    replays.start();
  } else {
    logger.warn('EVALUATOR_URL is not set: flows are stored but not evaluated until it is');
  }
  const maintenance = startMaintenance(store, clock, logger, metrics);
  await maintenance.runOnce();

  const app = createApp({
    store, clock, auth, logger, metrics, retention, maxStreams: cfg.streamMaxClients, onFlowsStored: () => dispatcher?.wake(), onReplayCreated: () => replays?.wake(),
  });
  const server = startHttpServer(app.fetch, cfg, (info) => {
    logger.info('broker listening', { host: info.address, port: info.port });
  });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    stopping.abort();
    maintenance.stop();
    server.close();
    void Promise.all([dispatcher?.stop(), replays?.stop()])
      .then(() => store.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main().catch((err: unknown) => {
  jsonLogger().error('broker failed to start', { error: err, stack: err instanceof Error ? err.stack : undefined });
  process.exit(1);
});
