/**
 * A bounded memo of whole flow evaluations, for the engine benchmark's repeated-flow figure and
 * its test. No daemon uses it: the evaluator keeps its own memo of judgements in FlowJudge.
 * Any change to the cluster state bumps its version and empties the memo, so an answer is never
 * older than the state it describes.
 */
import type { ClusterState } from '../cluster-state.js';
import { evaluateFlow } from '../evaluate.js';
import { GenerationalMemo } from '../generational-memo.js';
import type { Flow, FlowEndpoint, FlowEvaluation } from '../types.js';

function endKey(e: FlowEndpoint): string {
  // '|' alone: a namespace or pod name never holds it, so an unowned address's key is never a named end's.
  if (e.kind === 'unowned') return `${e.ip}|`;
  return `${e.ip ?? ''}|${e.namespace ?? ''}/${e.pod ?? ''}`;
}

export function flowKey(flow: Flow): string {
  return `${endKey(flow.src)}>${endKey(flow.dst)}>${flow.protocol}/${flow.port}`;
}

export class CachedEvaluator {
  private readonly memo: GenerationalMemo<string, FlowEvaluation>;
  private version = -1;

  constructor(
    private readonly state: ClusterState,
    capacity = 100_000,
  ) {
    this.memo = new GenerationalMemo(capacity);
  }

  get hits(): number {
    return this.memo.hits;
  }

  get misses(): number {
    return this.memo.misses;
  }

  /** Answers held (both generations). */
  size(): number {
    return this.memo.size();
  }

  /** The returned evaluation is shared between callers: treat it as read-only. */
  evaluate(flow: Flow): FlowEvaluation {
    if (this.version !== this.state.version) {
      this.memo.clear();
      this.version = this.state.version;
    }
    const key = flowKey(flow);
    const cached = this.memo.get(key);
    if (cached) return cached;
    const result = evaluateFlow(this.state, flow);
    this.memo.set(key, result);
    return result;
  }
}
