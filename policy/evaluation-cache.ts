/**
 * A bounded memo of flow evaluations. Real traffic repeats (the same client hits the same
 * service all day), so the daemons keep recent answers; any change to the cluster state bumps
 * its version and empties the memo, so an answer is never older than the state it describes.
 */
import type { ClusterState } from './cluster-state.js';
import { evaluateFlow } from './evaluate.js';
import type { Flow, FlowEndpoint, FlowEvaluation } from './types.js';

function endKey(e: FlowEndpoint): string {
  return `${e.ip ?? ''}|${e.namespace ?? ''}/${e.pod ?? ''}`;
}

export function flowKey(flow: Flow): string {
  return `${endKey(flow.src)}>${endKey(flow.dst)}>${flow.protocol}/${flow.port}`;
}

export class CachedEvaluator {
  /**
   * Two generations instead of one Map with oldest-first eviction: deleting a Map's first key
   * over and over leaves holes V8 rescans on every `keys().next()`, so a full memo got slower
   * with every miss. When the young generation holds half the capacity it becomes the old one
   * and the old one is dropped; a hit in the old generation is carried into the young one, so
   * what is still asked for survives. Holds at most `capacity` answers.
   */
  private young = new Map<string, FlowEvaluation>();
  private old = new Map<string, FlowEvaluation>();
  private version = -1;
  hits = 0;
  misses = 0;

  constructor(
    private readonly state: ClusterState,
    private readonly capacity = 100_000,
  ) {}

  /** Answers held (both generations). */
  size(): number {
    return this.young.size + this.old.size;
  }

  /** The returned evaluation is shared between callers: treat it as read-only. */
  evaluate(flow: Flow): FlowEvaluation {
    if (this.version !== this.state.version) {
      this.young = new Map();
      this.old = new Map();
      this.version = this.state.version;
    }
    const key = flowKey(flow);
    const cached = this.young.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    const older = this.old.get(key);
    if (older) {
      this.hits++;
      this.old.delete(key);
      this.remember(key, older);
      return older;
    }
    this.misses++;
    const result = evaluateFlow(this.state, flow);
    this.remember(key, result);
    return result;
  }

  private remember(key: string, e: FlowEvaluation): void {
    if (this.young.size >= Math.max(1, Math.floor(this.capacity / 2))) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, e);
  }
}
