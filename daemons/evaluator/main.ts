/**
 * The evaluator process: reads the environment (config.ts), starts the cluster model's
 * informers, serves the HTTP app (POST /evaluate, probes, metrics) with @hono/node-server, and,
 * when BROKER_URL is set, joins the leader election whose winner writes status and Events.
 * SIGTERM/SIGINT stop the status writer, release the Lease (a follower takes over at once) and
 * close the server.
 */
import { serve } from '@hono/node-server';
import { KubeConfig } from '@kubernetes/client-node';
import { createAuthenticator } from '../../runtime/auth/create-authenticator.js';
import { fileTokenSource } from '../../runtime/token-file.js';
import { jsonLogger, type Logger } from '../../runtime/logger.js';
import { createBrokerClient } from './broker-client.js';
import { createClusterModel } from './cluster/cluster-model.js';
import { ConfigError, loadConfig, type EvaluatorConfig } from './config.js';
import { createEvaluatorApp } from './http/app.js';
import { startLeaderDuties, type LeaderDuties } from './leader/leader-duties.js';
import { createEvaluatorMetrics } from './metrics.js';
import { createStatusMetrics } from './status/status-metrics.js';

function config(logger: Logger): EvaluatorConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.error(`invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

interface DutyDeps {
  model: ReturnType<typeof createClusterModel>;
  logger: Logger;
  metrics: ReturnType<typeof createStatusMetrics>;
  /** Ends the broker calls in flight and their waits between attempts when the evaluator stops. */
  stopping: AbortSignal;
}

function leaderDuties(cfg: EvaluatorConfig, kc: KubeConfig, deps: DutyDeps): LeaderDuties | undefined {
  if (cfg.brokerUrl === undefined) {
    deps.logger.warn('BROKER_URL is not set: evaluating only; no status, replays or Events are written');
    return undefined;
  }
  const file = cfg.brokerTokenFile;
  const token = file === undefined ? undefined : fileTokenSource(file, {
    onError: (err) => {
      deps.logger.warn('cannot read the broker token file; keeping the last token', { error: err, file });
    },
  });
  return startLeaderDuties(kc, {
    model: deps.model,
    broker: createBrokerClient({ baseUrl: cfg.brokerUrl, token, signal: deps.stopping }),
    identity: cfg.identity,
    lease: cfg.lease,
    window: cfg.window,
    statusIntervalMs: cfg.statusIntervalMs,
    logger: deps.logger,
    metrics: deps.metrics,
  });
}

async function main(): Promise<void> {
  const logger = jsonLogger();
  const cfg = config(logger);
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const metrics = createEvaluatorMetrics(true);
  const statusMetrics = createStatusMetrics(metrics.registry);
  const model = createClusterModel(kc, { logger, observer: metrics.watch });
  const auth = await createAuthenticator(cfg.authMode, logger);
  const app = createEvaluatorApp({ model, auth, metrics, logger });
  const server = serve({ fetch: app.fetch, hostname: cfg.host, port: cfg.port }, (info) => {
    logger.info('evaluator listening', { host: info.address, port: info.port, identity: cfg.identity });
  });
  await model.start();
  logger.info('cluster model synced', { ...model.stats() });
  const stopping = new AbortController();
  const duties = leaderDuties(cfg, kc, { model, logger, metrics: statusMetrics, stopping: stopping.signal });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    stopping.abort();
    void (duties?.stop(true) ?? Promise.resolve())
      .then(() => model.stop())
      .catch((err: unknown) => {
        logger.error('error while shutting down', { error: err });
      })
      .finally(() => {
        server.close();
        process.exit(0);
      });
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main().catch((err: unknown) => {
  jsonLogger().error('evaluator failed to start', { error: err, stack: err instanceof Error ? err.stack : undefined });
  process.exit(1);
});
