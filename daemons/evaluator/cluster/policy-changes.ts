/**
 * When each namespace's NetworkPolicies last changed, so that verify never judges an observation
 * against NetworkPolicies that were not yet (or no longer) in force when it was made.
 *
 * The evaluator predicts what the enforced NetworkPolicies do with a flow from the policies it holds
 * at judgement time. An observation usually reaches it within a second, but not always: the agent
 * ships a UDP conversation's reply that fell in its next bucket only when that bucket ends (up to 10 s
 * later, flow-aggregator.ts), and a busy broker judges its backlog late. Judged against policies
 * created after it, an allowed flow that connected before them reads as `NotEnforced`; judged after a
 * denying policy went, a denied one that failed reads as `DroppedElsewhere`. So a prediction is
 * withheld (the answer carries none, and the broker counts the observation under no policy) when the
 * NetworkPolicies of the observed end's namespace changed after the observation's time. Those are
 * exactly the policies that can select that end (a NetworkPolicy selects pods of its own namespace),
 * so if none of them changed, the ones held now are the ones in force then; a deletion counts as a
 * change too, since the deleted policy may have decided the flow then.
 *
 * A change's time is an upper bound of when the API server made it, never earlier: the evaluator's
 * clock when it learnt of the change, or, when sooner, the end of the second the object says it was
 * last written in (metadata times are whole seconds). The latter keeps a restarted evaluator, which
 * lists every policy anew, from withholding the predictions of a backlog observed under policies long
 * in force.
 */
import type { Direction, FlowEvaluation } from './engine.js';
import { observedTime } from './observed-time.js';
import { rec } from './raw-object.js';


const SECOND_MS = 1000;

function timeOf(v: unknown): number | undefined {
  const t = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/**
 * When the API server last wrote the object, to the second: its newest managedFields time, and
 * for an object new to the evaluator also its creation (a generation change has no time of its own
 * but the write that made it). undefined when the object says nothing.
 */
export function lastWritten(obj: unknown, isNew: boolean): number | undefined {
  const m = rec(rec(obj).metadata);
  let latest = isNew ? timeOf(m.creationTimestamp) : undefined;
  if (Array.isArray(m.managedFields)) {
    for (const f of m.managedFields) {
      const t = timeOf(rec(f).time);
      if (t !== undefined && (latest === undefined || t > latest)) latest = t;
    }
  }
  return latest;
}

export class PolicyChanges {
  private readonly at = new Map<string, number>();

  /** Namespaces whose NetworkPolicies changed since the evaluator started. */
  get size(): number {
    return this.at.size;
  }

  /**
   * A NetworkPolicy of `namespace` was created, changed generation or was deleted; the evaluator
   * learnt of it at `now`, and the object (when it has one) was last written in the second `written`.
   */
  changed(namespace: string, now: number, written?: number): void {
    const at = written === undefined ? now : Math.min(now, written + SECOND_MS - 1);
    const before = this.at.get(namespace);
    if (before === undefined || at > before) this.at.set(namespace, at);
  }

  /** When `namespace`'s NetworkPolicies last changed; undefined when never since the evaluator started. */
  since(namespace: string): number | undefined {
    return this.at.get(namespace);
  }

  /**
   * True when the enforced NetworkPolicies' prediction for an observation in `direction` made at
   * `observedAt` (an item's RFC 3339 time) must be withheld: some NetworkPolicy selects the observed
   * end now, and its namespace's NetworkPolicies changed after the observation.
   */
  stale(e: FlowEvaluation, direction: Direction, observedAtText: string): boolean {
    if (this.at.size === 0) return false;
    const outcome = direction === 'Egress' ? e.enforced.egress : e.enforced.ingress;
    if (outcome === 'NotSelected') return false;
    const observedAt = observedTime(observedAtText);
    const end = direction === 'Egress' ? e.src : e.dst;
    if (end !== null) return observedAt < (this.at.get(end.namespace) ?? -Infinity);
    // No one pod at that end (a Service judged against each of its backends): the NetworkPolicies that
    // judged it name the namespaces whose policies select it.
    for (const v of e.verdicts) {
      if (v.ref.kind !== 'NetworkPolicy' || v.direction !== direction) continue;
      if (observedAt < (this.at.get(v.ref.namespace) ?? -Infinity)) return true;
    }
    return false;
  }
}
