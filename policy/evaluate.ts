/**
 * Judges flows. For each flow: identify both ends, ask every policy that selects the source
 * (egress) or the destination (ingress) whether one of its rules admits the flow, and combine
 * them the way Kubernetes does: within a direction a flow passes when no policy selects the
 * end or any selecting policy allows it; a flow passes when both directions do.
 *
 * `effective` combines enforced and audit policies as if all were enforced together (what
 * promoting would do); `enforced` uses the NetworkPolicies alone (what the CNI does today).
 */
import { family, lookupAddress } from './address.js';
import type { ClusterState } from './cluster-state.js';
import type { CompiledPolicy, CompiledRule } from './compiled.js';
import type { RuleOutcome } from './explain.js';
import { explain } from './explain.js';
import type { ResolvedEndpoint } from './model.js';
import { matchingPeer } from './peer.js';
import { portListMatches } from './port.js';
import { matchesSelector } from './selector.js';
import type { ContainerPort, Direction, DirectionOutcome, EffectiveVerdict, Flow, FlowEvaluation, PolicyKind, PolicyVerdict } from './types.js';

const KIND_ORDER: Record<PolicyKind, number> = { NetworkPolicy: 0, AuditNetworkPolicy: 1, AuditClusterNetworkPolicy: 2 };

function judgeRules(
  rules: readonly CompiledRule[],
  peer: ResolvedEndpoint,
  policyNamespace: string,
  flow: Flow,
  dstPorts: readonly ContainerPort[] | undefined,
  reasons: boolean,
): RuleOutcome {
  let peerOnly: CompiledRule | undefined;
  for (const rule of rules) {
    const peerIndex = matchingPeer(rule.peers, peer, policyNamespace);
    if (peerIndex < 0) continue;
    if (portListMatches(rule.ports, flow.protocol, flow.port, dstPorts)) return { allowedBy: rule, peerIndex, peerOnly: undefined };
    peerOnly ??= rule;
  }
  return { allowedBy: undefined, peerIndex: -1, peerOnly, otherNamespace: peerOnly || !reasons ? undefined : otherNamespaceMatch(rules, peer, policyNamespace) };
}

/** Only computed on a deny: finds a pod peer whose selector fits the peer's labels but whose namespace scope does not. */
function otherNamespaceMatch(rules: readonly CompiledRule[], peer: ResolvedEndpoint, policyNamespace: string): RuleOutcome['otherNamespace'] {
  if (peer.identity !== 'pod' || !peer.pod) return undefined;
  for (const rule of rules) {
    if (rule.peers.kind === 'any') continue;
    for (const p of rule.peers.peers)
      if (p.kind === 'pods' && p.namespaces.kind !== 'all' && matchesSelector(p.pods, peer.pod.labels)) return { rule, peer: p, namespace: policyNamespace };
  }
  return undefined;
}

interface DirectionTally {
  selectedAll: boolean;
  allowedAll: boolean;
  selectedEnforced: boolean;
  allowedEnforced: boolean;
}

function outcome(selected: boolean, allowed: boolean): DirectionOutcome {
  return !selected ? 'NotSelected' : allowed ? 'Allow' : 'Deny';
}

function combine(ingress: DirectionTally, egress: DirectionTally, enforcedOnly: boolean): EffectiveVerdict {
  const i = enforcedOnly ? outcome(ingress.selectedEnforced, ingress.allowedEnforced) : outcome(ingress.selectedAll, ingress.allowedAll);
  const e = enforcedOnly ? outcome(egress.selectedEnforced, egress.allowedEnforced) : outcome(egress.selectedAll, egress.allowedAll);
  return { ingress: i, egress: e, allowed: i !== 'Deny' && e !== 'Deny' };
}

function judgeDirection(
  direction: Direction,
  target: ResolvedEndpoint,
  peer: ResolvedEndpoint,
  flow: Flow,
  dstPorts: readonly ContainerPort[] | undefined,
  verdicts: PolicyVerdict[],
  reasons: boolean,
): DirectionTally {
  const tally: DirectionTally = { selectedAll: false, allowedAll: false, selectedEnforced: false, allowedEnforced: false };
  if (target.identity !== 'pod' || !target.pod) return tally;
  for (const policy of target.pod.selectedBy) {
    const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
    if (rules === null) continue;
    const result = judgeRules(rules, peer, target.pod.namespace.name, flow, dstPorts, reasons);
    const allowed = result.allowedBy !== undefined;
    tally.selectedAll = true;
    tally.allowedAll ||= allowed;
    if (policy.enforced) {
      tally.selectedEnforced = true;
      tally.allowedEnforced ||= allowed;
    }
    verdicts.push(toVerdict(policy, direction, target, peer, flow, result, reasons));
  }
  return tally;
}

function toVerdict(
  policy: CompiledPolicy,
  direction: Direction,
  target: ResolvedEndpoint,
  peer: ResolvedEndpoint,
  flow: Flow,
  result: RuleOutcome,
  reasons: boolean,
): PolicyVerdict {
  const reason = reasons ? explain(policy, direction, target, peer, flow.protocol, flow.port, result) : '';
  const verdict: PolicyVerdict = { policy: policy.display, kind: policy.kind, direction, verdict: 'WouldDeny', reason, ref: policy.ref };
  if (result.allowedBy) {
    verdict.verdict = 'Allow';
    verdict.rule = result.allowedBy.index;
  }
  return verdict;
}

function compareVerdicts(a: PolicyVerdict, b: PolicyVerdict): number {
  if (a.direction !== b.direction) return a.direction === 'Egress' ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0;
}

function endpointNotes(src: ResolvedEndpoint, dst: ResolvedEndpoint): string[] {
  const notes: string[] = [];
  for (const [end, ep] of [['source', src], ['destination', dst]] as const) {
    if (ep.missingPod) notes.push(`${end} pod ${ep.missingPod} is not known; only ipBlock and empty peers can match it`);
    else if (ep.identity === 'unknown') notes.push(`${end} ${ep.label} is not owned by a known pod; only ipBlock and empty peers can match it`);
    else if (ep.identity === 'hostNetwork') notes.push(`${end} ${ep.label} uses the host network; policies do not select it and only ipBlock matches it`);
  }
  return notes;
}

const LOOPBACK: EffectiveVerdict = { ingress: 'NotSelected', egress: 'NotSelected', allowed: true };

export interface EvaluateOptions {
  /** Build reason sentences (default true). Callers that only count verdicts can skip them. */
  reasons?: boolean;
}

/** Evaluates one flow against the current state. */
export function evaluateFlow(state: ClusterState, flow: Flow, options?: EvaluateOptions): FlowEvaluation {
  const reasons = options?.reasons ?? true;
  const srcGiven = flow.src.ip === undefined ? undefined : lookupAddress(flow.src.ip);
  const dstGiven = flow.dst.ip === undefined ? undefined : lookupAddress(flow.dst.ip);
  const src = state.resolve(flow.src, dstGiven?.family, srcGiven);
  const dst = state.resolve(flow.dst, srcGiven?.family ?? (src.address ? family(src.address) : undefined), dstGiven);
  const notes = endpointNotes(src, dst);
  if (src.pod && src.pod === dst.pod) {
    // Traffic from a pod to itself is never subject to NetworkPolicy.
    notes.push(`${src.label} is talking to itself; NetworkPolicy does not apply to a pod's own traffic`);
    return { src: src.ref, dst: dst.ref, verdicts: [], effective: LOOPBACK, enforced: LOOPBACK, notes };
  }
  const dstPorts = dst.identity === 'pod' ? dst.pod?.info.ports : undefined;
  const verdicts: PolicyVerdict[] = [];
  const egress = judgeDirection('Egress', src, dst, flow, dstPorts, verdicts, reasons);
  const ingress = judgeDirection('Ingress', dst, src, flow, dstPorts, verdicts, reasons);
  verdicts.sort(compareVerdicts);
  return { src: src.ref, dst: dst.ref, verdicts, effective: combine(ingress, egress, false), enforced: combine(ingress, egress, true), notes };
}
