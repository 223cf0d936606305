/**
 * The broker's Prometheus metrics, on a registry of their own (not prom-client's global one) so
 * every app instance, and every test, has independent counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PolicyVerdictMetrics, type PolicyMetricsOptions } from './policy-metrics.js';

export interface BrokerMetrics {
  registry: Registry;
  ingestObservations: Counter;
  ingestRows: Counter;
  ingestBatches: Counter<'result'>;
  ingestBatchSize: Histogram;
  ingestInFlight: Gauge;
  ingestQueued: Gauge;
  shed: Counter<'route'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  evaluatorRequests: Counter<'result'>;
  evaluatorLatency: Histogram;
  evaluationInFlight: Gauge;
  verdictsStored: Counter;
  /** Conversations judged against the enforced NetworkPolicies, by prediction and observed state (verify). */
  enforcementChecks: Counter<'predicted' | 'state'>;
  replayFlows: Counter;
  replayJobs: Counter<'result'>;
  retentionRuns: Counter<'result'>;
  partitionsDropped: Counter;
  streamClients: Gauge;
  /** Per-policy verdict counters and window gauges (policy-metrics.ts). */
  policies: PolicyVerdictMetrics;
}

/** The per-policy metrics' bounds when the configuration does not say (config.ts). */
export const DEFAULT_POLICY_METRICS: PolicyMetricsOptions = { maxPolicies: 500, windowMinutes: 60 };

/** Creates the metrics; `poolStats` feeds the DB pool gauge at scrape time. */
export function createMetrics(
  poolStats?: () => { total: number; idle: number; waiting: number },
  defaults = false,
  policyMetrics: PolicyMetricsOptions = DEFAULT_POLICY_METRICS,
): BrokerMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const p = 'kguardian_broker_';
  new Gauge({
    name: `${p}db_pool_connections`,
    help: 'Database pool connections by state (total, idle, waiting clients).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const s = poolStats?.();
      if (!s) return;
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  const r = [registry];
  return {
    registry,
    ingestObservations: new Counter({ name: `${p}ingest_observations_total`, help: 'Flow observations accepted.', registers: r }),
    ingestRows: new Counter({ name: `${p}ingest_rows_total`, help: 'Flow rows upserted after aggregation.', registers: r }),
    ingestBatches: new Counter({ name: `${p}ingest_batches_total`, help: 'Flow batches by result.', labelNames: ['result'], registers: r }),
    ingestBatchSize: new Histogram({
      name: `${p}ingest_batch_size`,
      help: 'Observations per flow batch.',
      buckets: [1, 10, 100, 1000, 5000, 10000, 20000],
      registers: r,
    }),
    ingestInFlight: new Gauge({ name: `${p}ingest_in_flight`, help: 'Flow batches being written.', registers: r }),
    ingestQueued: new Gauge({ name: `${p}ingest_queue_depth`, help: 'Flow batches waiting for a write slot.', registers: r }),
    shed: new Counter({ name: `${p}shed_total`, help: 'Requests refused with 503 because the broker was saturated.', labelNames: ['route'], registers: r }),
    httpRequests: new Counter({
      name: `${p}http_requests_total`,
      help: 'HTTP requests by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: r,
    }),
    evaluatorRequests: new Counter({ name: `${p}evaluator_requests_total`, help: 'Calls to the evaluator by result.', labelNames: ['result'], registers: r }),
    evaluatorLatency: new Histogram({
      name: `${p}evaluator_latency_seconds`,
      help: 'Latency of evaluator calls.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    evaluationInFlight: new Gauge({ name: `${p}evaluation_in_flight_flows`, help: 'Flows claimed and being evaluated.', registers: r }),
    verdictsStored: new Counter({ name: `${p}verdicts_stored_total`, help: 'Audit verdict rows stored.', registers: r }),
    enforcementChecks: new Counter({
      name: `${p}enforcement_checks_total`,
      help: 'Conversations judged against the enforced NetworkPolicies, by what they predict (Allow, Deny) and the state the agent saw; predicted="Deny",state="established" is traffic the CNI let through.',
      labelNames: ['predicted', 'state'],
      registers: r,
    }),
    replayFlows: new Counter({ name: `${p}replay_flows_total`, help: 'Flow rows re-judged by replays.', registers: r }),
    replayJobs: new Counter({ name: `${p}replay_jobs_total`, help: 'Replay jobs ended, by final state.', labelNames: ['result'], registers: r }),
    retentionRuns: new Counter({ name: `${p}retention_runs_total`, help: 'Retention runs by result.', labelNames: ['result'], registers: r }),
    partitionsDropped: new Counter({ name: `${p}partitions_dropped_total`, help: 'Partitions dropped by retention.', registers: r }),
    streamClients: new Gauge({ name: `${p}stream_clients`, help: 'Open verdict streams.', registers: r }),
    policies: new PolicyVerdictMetrics(registry, policyMetrics),
  };
}
