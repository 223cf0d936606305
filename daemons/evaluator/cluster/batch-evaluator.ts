/**
 * A batch of recorded flows judged at once, optionally against a single policy at a single
 * generation (replays): the results then carry only that policy's verdicts, and a policy the
 * model does not hold at exactly that generation refuses the whole batch, so a replay never
 * publishes counts for a spec it did not judge.
 */
import type { FlowEvaluation } from './engine.js';
import type { FlowJudge } from './flow-judge.js';
import type { PolicyVersions } from './policy-versions.js';
import type { EvaluateItem, EvaluateOutcome, EvaluatedFlow, OnlyPolicy } from './model-types.js';

export class BatchEvaluator {
  /** Per shared evaluation, its restriction to one policy (replays judge the same flows over and over). */
  private filtered = new WeakMap<FlowEvaluation, FlowEvaluation>();
  private filteredUid: string | undefined;

  constructor(
    private readonly judge: FlowJudge,
    private readonly policies: PolicyVersions,
  ) {}

  evaluate(items: readonly EvaluateItem[], only?: OnlyPolicy): EvaluateOutcome {
    if (only) {
      const held = this.policies.get(only.uid);
      if (held?.generation !== only.generation) return { status: 'generation-mismatch', uid: only.uid, current: held?.generation ?? null };
      if (this.filteredUid !== only.uid) {
        this.filtered = new WeakMap();
        this.filteredUid = only.uid;
      }
    }
    const results: EvaluatedFlow[] = new Array<EvaluatedFlow>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as EvaluateItem;
      const evaluation = this.judge.judge(item);
      results[i] = { id: item.id, direction: item.direction, evaluation: only ? this.restrict(evaluation, only.uid) : evaluation };
    }
    return { status: 'ok', results };
  }

  private restrict(e: FlowEvaluation, uid: string): FlowEvaluation {
    const hit = this.filtered.get(e);
    if (hit) return hit;
    const out = { ...e, verdicts: e.verdicts.filter((v) => v.ref.uid === uid) };
    this.filtered.set(e, out);
    return out;
  }
}
