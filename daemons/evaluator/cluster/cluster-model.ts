/**
 * The live cluster model: informers over Namespaces, Pods, Services, EndpointSlices,
 * NetworkPolicies and the two audit kinds feed a ClusterIndex incrementally; flows are judged
 * against it through the memoised FlowJudge. This file only wires those parts together; the
 * rules live in cluster-index.ts, flow-judge.ts and kind-watch.ts.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Sleep } from '../../../runtime/abortable-sleep.js';
import { silentLogger, type Logger } from '../../../runtime/logger.js';
import { ClusterIndex } from './cluster-index.js';
import { createIndexedModel, DAY_MS, indexOptions, type IndexedModel } from './indexed-model.js';
import { KindWatch, type KindWatchOptions, type WatchObserver } from './kind-watch.js';
import { watchedKinds } from './watched-kinds.js';

export type {
  AuditPolicyVersion,
  ClusterModel,
  ClusterModelStats,
  EvaluatedFlow,
  EvaluateItem,
  EvaluateOutcome,
  OnlyPolicy,
} from './model-types.js';
export type { WatchObserver } from './kind-watch.js';
export { createIndexedModel, DAY_MS, type IndexedModel } from './indexed-model.js';
export interface ClusterModelOptions {
  /** How long a deleted pod stays known by name and a released IP by owner (default 7 days). */
  retentionMs?: number;
  /** How far before a pod's creation a flow may be stamped and still be its (default 5 s). */
  skewMs?: number;
  /** Memoised evaluations (default 100,000). */
  cacheCapacity?: number;
  /** How often retention is enforced (default 1 minute). */
  sweepIntervalMs?: number;
  logger?: Logger;
  /** Informer events, lists and restarts, for metrics. */
  observer?: WatchObserver;
  now?: () => number;
  /** Backoff delay between informer restarts (an abortable sleep by default); tests pass one that does not sleep. */
  delay?: Sleep;
  backoffMs?: number;
  maxBackoffMs?: number;
  makeInformer?: KindWatchOptions['makeInformer'];
}

/** The model plus what tests and metrics need beyond the shared interface. */
export interface LiveClusterModel extends IndexedModel {
  /**
   * Drops every watch and lists afresh, as after a long disconnection; `whileDisconnected`
   * runs in between (tests change the cluster there).
   */
  resync(whileDisconnected?: () => Promise<void>): Promise<void>;
  /** Seconds since each informer last delivered something. */
  informerLag(): { kind: string; seconds: number }[];
  /** Runs retention now (it also runs on a timer). */
  sweep(): void;
}

const noObserver: WatchObserver = { event: () => undefined, listed: () => undefined, restarted: () => undefined };

export function createClusterModel(kc: KubeConfig, opts: ClusterModelOptions = {}): LiveClusterModel {
  const logger = opts.logger ?? silentLogger;
  const index = new ClusterIndex(
    indexOptions({
      retentionMs: opts.retentionMs ?? 7 * DAY_MS,
      skewMs: opts.skewMs ?? 5_000,
      now: opts.now ?? Date.now,
      skipped: (kind, key, reason) => {
        logger.info(`evaluator: skipped ${kind} ${key}: ${reason}`);
      },
      listenerError: (err) => {
        logger.error('evaluator: an audit policy listener failed', { error: err });
      },
    }),
  );
  const watchOptions: KindWatchOptions = {
    observer: opts.observer ?? noObserver,
    logger,
    ...(opts.delay ? { delay: opts.delay } : {}),
    ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
    ...(opts.maxBackoffMs !== undefined ? { maxBackoffMs: opts.maxBackoffMs } : {}),
    ...(opts.makeInformer ? { makeInformer: opts.makeInformer } : {}),
  };
  const watches = watchedKinds(kc, index).map((spec) => new KindWatch(kc, spec, watchOptions));
  const synced = (): boolean => watches.every((w) => w.isSynced());
  const model = createIndexedModel({ index, synced, ...(opts.cacheCapacity !== undefined ? { cacheCapacity: opts.cacheCapacity } : {}) });
  let sweeper: NodeJS.Timeout | undefined;

  return {
    ...model,
    async start(): Promise<void> {
      sweeper ??= setInterval(() => {
        index.sweep();
      }, opts.sweepIntervalMs ?? 60_000).unref();
      await Promise.all(watches.map((w) => w.start()));
    },
    async stop(): Promise<void> {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      await Promise.all(watches.map((w) => w.stop()));
    },
    async resync(whileDisconnected?: () => Promise<void>): Promise<void> {
      await Promise.all(watches.map((w) => w.disconnect()));
      await whileDisconnected?.();
      for (const w of watches) w.reconnect();
    },
    informerLag: () => watches.map((w) => ({ kind: w.kind, seconds: w.lastEventAt === 0 ? 0 : (Date.now() - w.lastEventAt) / 1000 })),
    sweep: () => {
      index.sweep();
    },
  };
}
