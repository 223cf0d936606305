/**
 * The evaluator's Prometheus metrics, on a registry of its own (not prom-client's global one)
 * so every app instance and every test has independent counters. The status writer and the
 * leader add theirs to `registry`. Informer health is observed through `watch`, which the
 * cluster model calls; model sizes are read from the model at scrape time.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WatchObserver } from './cluster/kind-watch.js';
import type { ClusterModelStats } from './cluster/model-types.js';

export interface EvaluatorMetrics {
  registry: Registry;
  /** Conversations judged (each flow row weighs its count), by the effective result: allowed or would_deny. */
  evaluations: Counter<'result'>;
  /** POST /evaluate requests by outcome (ok, bad_request, conflict, not_synced, ...). */
  requests: Counter<'result'>;
  /** Conversations answered without the enforced NetworkPolicies' prediction: those changed after the observation. */
  withheld: Counter;
  /** Seconds to judge one request's batch (parse and encode included). */
  latency: Histogram;
  batchSize: Histogram;
  /** Passed to createClusterModel: counts informer events, lists and restarts. */
  watch: WatchObserver;
  /** Reads the model's sizes at scrape time. */
  observeModel(stats: () => ClusterModelStats): void;
}

export const METRIC_PREFIX = 'kguardian_evaluator_';

export function createEvaluatorMetrics(defaults = false): EvaluatorMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const p = METRIC_PREFIX;
  const r = [registry];
  const lastEvent = new Map<string, number>();
  let stats: (() => ClusterModelStats) | undefined;

  new Gauge({
    name: `${p}model_objects`,
    help: 'Objects in the cluster model, by kind (pods, namespaces, policies, services, ipHistory, cacheSize).',
    labelNames: ['kind'],
    registers: r,
    collect() {
      const s = stats?.();
      if (!s) return;
      for (const [kind, n] of Object.entries(s) as [string, number][]) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: `${p}informer_seconds_since_event`,
    help: 'Seconds since each informer last delivered an object or completed a list.',
    labelNames: ['kind'],
    registers: r,
    collect() {
      const now = Date.now();
      for (const [kind, at] of lastEvent) this.set({ kind }, (now - at) / 1000);
    },
  });
  const events = new Counter({ name: `${p}informer_events_total`, help: 'Objects delivered by informers, by kind.', labelNames: ['kind'], registers: r });
  const lists = new Counter({ name: `${p}informer_lists_total`, help: 'Full lists (initial and relists) by kind.', labelNames: ['kind'], registers: r });
  const restarts = new Counter({ name: `${p}informer_restarts_total`, help: 'Informer watches restarted after an error, by kind.', labelNames: ['kind'], registers: r });

  return {
    registry,
    evaluations: new Counter({ name: `${p}evaluations_total`, help: 'Conversations judged (a flow row weighs its count), by effective result.', labelNames: ['result'], registers: r }),
    requests: new Counter({ name: `${p}evaluate_requests_total`, help: 'POST /evaluate requests by outcome.', labelNames: ['result'], registers: r }),
    withheld: new Counter({
      name: `${p}enforcement_withheld_total`,
      help: "Conversations answered without the enforced NetworkPolicies' prediction (a flow row weighs its count): the NetworkPolicies of the observed end's namespace changed after the observation.",
      registers: r,
    }),
    latency: new Histogram({
      name: `${p}evaluate_duration_seconds`,
      help: 'Time to answer one POST /evaluate batch.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    batchSize: new Histogram({ name: `${p}evaluate_batch_size`, help: 'Flows per POST /evaluate request.', buckets: [1, 10, 50, 100, 250, 500, 1000, 5000, 20000], registers: r }),
    watch: {
      event(kind) {
        lastEvent.set(kind, Date.now());
        events.inc({ kind });
      },
      listed(kind) {
        lastEvent.set(kind, Date.now());
        lists.inc({ kind });
      },
      restarted(kind) {
        restarts.inc({ kind });
      },
    },
    observeModel(s) {
      stats = s;
    },
  };
}
