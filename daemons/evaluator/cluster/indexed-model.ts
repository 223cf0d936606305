/**
 * A ClusterModel over a ClusterIndex that something else feeds: the informers in
 * cluster-model.ts, or a test or benchmark that applies objects itself (no API server needed).
 */
import { BatchEvaluator } from './batch-evaluator.js';
import { ClusterIndex, type ClusterIndexOptions } from './cluster-index.js';
import { FlowJudge } from './flow-judge.js';
import type { ClusterModel, ClusterModelStats, EvaluateItem, EvaluateOutcome, OnlyPolicy } from './model-types.js';

export const DAY_MS = 86_400_000;

export interface IndexedModel extends ClusterModel {
  readonly index: ClusterIndex;
}

export interface IndexedModelOptions {
  index?: ClusterIndex;
  /** Memoised evaluations (default 100,000). */
  cacheCapacity?: number;
  /** Whether the feeding side has synced; always true by default. */
  synced?: () => boolean;
}

/** ClusterIndex options with the model's defaults: 7 days of retention, 5 s of clock skew, silence. */
export function indexOptions(o: Partial<ClusterIndexOptions> = {}): ClusterIndexOptions {
  return {
    retentionMs: o.retentionMs ?? 7 * DAY_MS,
    skewMs: o.skewMs ?? 5_000,
    now: o.now ?? Date.now,
    skipped: o.skipped ?? ((): void => undefined),
    listenerError: o.listenerError ?? ((): void => undefined),
  };
}

export function createIndexedModel(opts: IndexedModelOptions = {}): IndexedModel {
  const index = opts.index ?? new ClusterIndex(indexOptions());
  const synced = opts.synced ?? ((): boolean => true);
  const judge = new FlowJudge(index, opts.cacheCapacity);
  const batches = new BatchEvaluator(judge, index.policies, index.policyChanges);
  return {
    index,
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    synced,
    auditPolicies: () => index.policies.audit(),
    onAuditPolicyChange: (listener) => index.policies.listen(listener),
    evaluate(items: readonly EvaluateItem[], only?: OnlyPolicy): EvaluateOutcome {
      if (!synced()) return { status: 'not-synced' };
      return batches.evaluate(items, only);
    },
    stats(): ClusterModelStats {
      const c = index.state.counts();
      return { pods: index.livePods(), namespaces: c.namespaces, policies: c.policies, services: index.services.size(), ipHistory: index.history.size(), cacheSize: judge.size() };
    },
  };
}
