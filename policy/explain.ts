/**
 * The reason sentences attached to verdicts. Kept apart from evaluation so wording can change
 * in one place, and so golden files pin the exact text users read.
 */
import type { CompiledPolicy, CompiledRule } from './compiled.js';
import type { ResolvedEndpoint } from './model.js';
import type { Peer } from './peer.js';
import { describePeer, describePeerList } from './peer.js';
import { describePortList } from './port.js';
import type { Direction, Protocol } from './types.js';

export interface RuleOutcome {
  /** The rule that allowed the flow, if any. */
  allowedBy: CompiledRule | undefined;
  peerIndex: number;
  /** A rule whose peers matched but whose ports did not: the nearest miss. */
  peerOnly: CompiledRule | undefined;
  /** A rule with a pod peer that matches the peer's labels but not its namespace: the classic mistake. */
  otherNamespace?: { rule: CompiledRule; peer: Peer; namespace: string } | undefined;
}

function namespaceHint(o: RuleOutcome, field: string, peer: ResolvedEndpoint): string {
  const hint = o.otherNamespace;
  if (!hint || !peer.pod) return '';
  const scope = hint.peer.kind === 'pods' && hint.peer.namespaces.kind === 'policyNamespace' ? `only in namespace ${hint.namespace}` : 'only in other namespaces';
  return `; ${field} rule ${hint.rule.index} matches ${peer.label}'s labels (${describePeer(hint.peer)}) but ${scope}, and ${peer.label} is in ${peer.pod.namespace.name}: add a namespaceSelector to admit it`;
}

function peerNote(peer: ResolvedEndpoint): string {
  switch (peer.identity) {
    case 'pod':
      return '';
    case 'hostNetwork':
      return `; ${peer.label} is a hostNetwork pod, so only ipBlock and empty peers can match it`;
    case 'unknown':
      return peer.missingPod
        ? `; pod ${peer.missingPod} is not known, so only ipBlock and empty peers can match`
        : `; ${peer.label} is not a known pod, so only ipBlock and empty peers can match`;
  }
}

export function explain(
  policy: CompiledPolicy,
  direction: Direction,
  target: ResolvedEndpoint,
  peer: ResolvedEndpoint,
  protocol: Protocol,
  port: number,
  outcome: RuleOutcome,
): string {
  const head = `${policy.kind} ${policy.display}`;
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  const verb = direction === 'Ingress' ? `from ${peer.label} to ${target.label}` : `from ${target.label} to ${peer.label}`;
  const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
  const service = `${protocol}/${port}`;
  const rule = outcome.allowedBy;
  if (rule) {
    const matched = rule.peers.kind === 'any' ? undefined : rule.peers.peers[outcome.peerIndex];
    const via = rule.peers.kind === 'any' ? 'any peer' : matched ? describePeer(matched) : describePeerList(rule.peers);
    return `${head}: ${field} rule ${rule.index} allows ${service} ${verb} (${via}; ${describePortList(rule.ports)})`;
  }
  if (!rules || rules.length === 0)
    return `${head} selects ${target.label} and has no ${field} rules, so all ${field} is denied (${service} ${verb})`;
  const near = outcome.peerOnly ? `; ${field} rule ${outcome.peerOnly.index} admits the peer but only on ${describePortList(outcome.peerOnly.ports)}` : '';
  return `${head} selects ${target.label}, but no ${field} rule allows ${service} ${verb}${near}${namespaceHint(outcome, field, peer)}${peerNote(peer)}`;
}
