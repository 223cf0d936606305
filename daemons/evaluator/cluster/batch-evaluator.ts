/**
 * A batch of recorded flows judged at once, optionally against a single policy at a single
 * generation (replays): the results then carry only that policy's verdicts, and a policy the
 * model does not hold at exactly that generation refuses the whole batch, so a replay never
 * publishes counts for a spec it did not judge. A live result whose observed end's NetworkPolicies
 * changed after the observation is marked to go without the enforced policies' prediction
 * (policy-changes.ts).
 */
import type { FlowJudge } from './flow-judge.js';
import type { PolicyChanges } from './policy-changes.js';
import type { PolicyVersions } from './policy-versions.js';
import type { EvaluateItem, EvaluateOutcome, EvaluatedFlow, Judgement, OnlyPolicy } from './model-types.js';

export class BatchEvaluator {
  /** Per shared evaluation, its restriction to one policy (replays judge the same flows over and over). */
  private filtered = new WeakMap<Judgement, Judgement>();
  private filteredUid: string | undefined;

  constructor(
    private readonly judge: FlowJudge,
    private readonly policies: PolicyVersions,
    private readonly changes: PolicyChanges,
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
      const judged = this.judge.judgement(item, true);
      const { evaluation, answers } = only ? this.restrict(judged, only.uid) : judged;
      const withheld = !only && this.changes.stale(evaluation, item.direction, item.observedAt);
      results[i] = { id: item.id, direction: item.direction, evaluation, answers, withheld };
    }
    return { status: 'ok', results };
  }

  private restrict(j: Judgement, uid: string): Judgement {
    const hit = this.filtered.get(j);
    if (hit) return hit;
    const e = j.evaluation;
    const answers = j.answers === undefined ? undefined : [undefined, undefined, undefined, undefined];
    const out: Judgement = { evaluation: { ...e, verdicts: e.verdicts.filter((v) => v.ref.uid === uid) }, answers };
    this.filtered.set(j, out);
    return out;
  }
}
