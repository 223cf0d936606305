/**
 * Verification of enforced NetworkPolicies: what they predict for a flow against what the kernel
 * saw of it. The evaluator judges every flow against the enforced NetworkPolicies too and answers
 * their prediction for the observed direction with the policies that decided it (which ones:
 * contracts/evaluate-answer.ts); the live evaluation loop keeps it as one check per policy
 * (`checksOf`), and a report sums a flow's checks over a window and classifies them (`classify`).
 *
 * The classification, per flow and policy, over the counts of each connection state:
 *
 * | predicted | observed                                   | outcome          |
 * |-----------|--------------------------------------------|------------------|
 * | Deny      | any established                            | NotEnforced      |
 * | Deny      | UDP seen arriving (Ingress), none est.     | NotEnforced      |
 * | Deny      | UDP seen leaving (Egress) only             | Inconclusive     |
 * | Deny      | attempts and refusals only                 | Agrees           |
 * | Allow     | any established, or UDP seen               | Agrees           |
 * | Allow     | >= MIN_FAILURES attempts+refusals, no est. | DroppedElsewhere |
 * | Allow     | fewer failures, nothing established        | Inconclusive     |
 *
 * A UDP datagram seen leaving its socket says nothing about a drop further on; one seen arriving at
 * the destination's socket got through. A refusal (a reset) of a denied flow agrees: some CNIs
 * reject rather than drop. An allowed flow that fails only once or twice is a closed port as often
 * as a drop, so it takes MIN_FAILURES failures and no success to be called dropped.
 */
import type { Direction, Protocol } from '../../../policy/types.js';
import type { EnforcementPrediction } from '../../../contracts/evaluate.js';
import type { Outcome, Predicted, StateCounts } from '../../../contracts/enforcement.js';

/** Failed attempts, none established, before an allowed flow is said to be dropped elsewhere. */
export const MIN_FAILURES = 3;

/** A NetworkPolicy named by a check. */
export interface EnforcedPolicyRef {
  uid: string;
  namespace: string;
  name: string;
  generation: number;
}

/** What the enforced policies predict for one observed flow, per policy that decided it. */
export interface EnforcementCheck {
  policy: EnforcedPolicyRef;
  predicted: Predicted;
}

export interface Observed {
  predicted: Predicted;
  protocol: Protocol;
  direction: Direction;
  counts: StateCounts;
}

/** The checks of one answered prediction: one per policy that decided it. */
export function checksOf(p: EnforcementPrediction | undefined): EnforcementCheck[] {
  if (p === undefined) return [];
  return p.policies.map((r) => ({ policy: { uid: r.uid ?? '', namespace: r.namespace, name: r.name, generation: r.generation ?? 0 }, predicted: p.predicted }));
}

export function classify(o: Observed): Outcome {
  const { established, attempt, refused, seen } = o.counts;
  if (o.predicted === 'Deny') {
    if (established > 0) return 'NotEnforced';
    if (seen > 0) return o.direction === 'Ingress' ? 'NotEnforced' : 'Inconclusive';
    return 'Agrees';
  }
  if (established > 0 || seen > 0) return 'Agrees';
  return attempt + refused >= MIN_FAILURES ? 'DroppedElsewhere' : 'Inconclusive';
}

/** One sentence for a person: what was predicted, what happened, what it means. */
export function explain(o: Observed, outcome: Outcome): string {
  const c = o.counts;
  const seen = [
    c.established > 0 ? `${c.established} established` : '',
    c.attempt > 0 ? `${c.attempt} never established` : '',
    c.refused > 0 ? `${c.refused} refused` : '',
    c.seen > 0 ? `${c.seen} seen (UDP)` : '',
  ].filter((s) => s !== '').join(', ');
  const predicted = o.predicted === 'Deny' ? 'the enforced NetworkPolicies deny this flow' : 'the enforced NetworkPolicies allow this flow';
  switch (outcome) {
    case 'NotEnforced':
      return `${predicted}, yet it got through (${seen}): the CNI is not enforcing them`;
    case 'DroppedElsewhere':
      return `${predicted}, yet it never connected (${seen}): something else drops or refuses it (another policy layer, a host firewall, a closed port)`;
    case 'Inconclusive':
      return o.predicted === 'Deny'
        ? `${predicted}; UDP seen leaving its source (${seen}) says nothing of a drop further on`
        : `${predicted}; it has not connected yet (${seen}), too few attempts to call it dropped`;
    case 'Agrees':
      return `${predicted}, and the kernel saw that (${seen})`;
  }
}
