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
  private readonly memo = new Map<string, FlowEvaluation>();
  private version = -1;
  hits = 0;
  misses = 0;

  constructor(
    private readonly state: ClusterState,
    private readonly capacity = 100_000,
  ) {}

  /** The returned evaluation is shared between callers: treat it as read-only. */
  evaluate(flow: Flow): FlowEvaluation {
    if (this.version !== this.state.version) {
      this.memo.clear();
      this.version = this.state.version;
    }
    const key = flowKey(flow);
    const cached = this.memo.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const result = evaluateFlow(this.state, flow);
    // Map keeps insertion order: the first key is the oldest entry.
    if (this.memo.size >= this.capacity) this.memo.delete(this.memo.keys().next().value as string);
    this.memo.set(key, result);
    return result;
  }
}
