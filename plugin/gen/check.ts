/**
 * The generator's judge is the policy engine, the same one `audit test` and the evaluator use:
 * the generated policies are compiled into a cluster model of the snapshot, and every flow is
 * judged. Two questions: which pods does each policy select (exactly its workload's, or the
 * selector is refused), and which flows would any of them deny (over the learning window this
 * must be none, or nothing is emitted; over a later window it measures how well they generalise).
 */
import type { Direction, Flow, NamedEnd, NamespaceInfo, PodInfo, PolicyObject } from '../../policy/index.js';
import { ClusterState, evaluateFlow, formatProblem } from '../../policy/index.js';
import type { LineFlow } from '../audit-test/load-flows.js';

export interface Denial {
  line: number;
  flow: Flow<NamedEnd>;
  count: number;
  policy: string;
  direction: Direction;
  reason: string;
}

export interface Judge {
  /** Pod keys ("ns/name") the policy selects; undefined when it does not compile. */
  selected(policy: PolicyObject): string[] | undefined;
  /** Problems compiling the policy (none for a well-formed generated policy). */
  problems(policy: PolicyObject): string[];
  /** The flows any of the policies would deny, one entry per flow and denying policy. */
  denials(flows: readonly LineFlow[]): Denial[];
}

function policyKey(p: PolicyObject): string {
  return `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}

export function judge(namespaces: readonly NamespaceInfo[], pods: readonly PodInfo[], policies: readonly PolicyObject[]): Judge {
  const state = new ClusterState();
  for (const ns of namespaces) state.upsertNamespace(ns);
  for (const pod of pods) state.upsertPod(pod);
  const results = new Map(policies.map((p) => [policyKey(p), state.upsertPolicy(p)]));
  return {
    selected(policy) {
      const compiled = results.get(policyKey(policy))?.policy;
      return compiled ? state.selectedPods(compiled).map((p) => p.key).sort() : undefined;
    },
    problems(policy) {
      return (results.get(policyKey(policy))?.problems ?? []).filter((p) => p.severity === 'error').map(formatProblem);
    },
    denials(flows) {
      const out: Denial[] = [];
      for (const { flow, line, seen } of flows)
        for (const v of evaluateFlow(state, flow).verdicts)
          if (v.verdict === 'WouldDeny') out.push({ line, flow, count: seen.count, policy: v.policy, direction: v.direction, reason: v.reason });
      return out;
    },
  };
}
