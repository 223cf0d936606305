/**
 * The reason sentences attached to verdicts. Kept apart from evaluation so wording can change
 * in one place, and so golden files pin the exact text users read.
 *
 * Every sentence is a few fixed parts (built with the compiled policy and its rules, see
 * `policyText` and `ruleText`) around the per-flow part "PROTOCOL/PORT from SRC to DST" (built
 * once per flow, see `flowText`): a reason is a handful of concatenations, never a format. The
 * rule parts live on the compiled rules, which policies share, so they stay in the CPU caches.
 */
import type { CompiledPolicy, CompiledRule, PolicyText, RuleText } from './compiled.js';
import type { ResolvedEndpoint } from './model.js';
import type { Peer } from './peer.js';
import { describePeer, describePeerList } from './peer.js';
import { describePortList } from './port.js';
import type { Direction, PolicyKind, Protocol } from './types.js';

export interface RuleOutcome {
  /** The rule that allowed the flow, if any. */
  allowedBy: CompiledRule | undefined;
  peerIndex: number;
  /** A rule whose peers matched but whose ports did not: the nearest miss. */
  peerOnly: CompiledRule | undefined;
  /** A rule with a pod peer that matches the peer's labels but not its namespace: the classic mistake. */
  otherNamespace?: { rule: CompiledRule; peer: Peer; namespace: string } | undefined;
}

export type { PolicyText, RuleText };

const FIELD: Readonly<Record<Direction, string>> = { Ingress: 'ingress', Egress: 'egress' };
const NO_RULES: Readonly<Record<Direction, string>> = {
  Ingress: ' and has no ingress rules, so all ingress is denied (',
  Egress: ' and has no egress rules, so all egress is denied (',
};
const NONE_ALLOWS: Readonly<Record<Direction, string>> = { Ingress: ', but no ingress rule allows ', Egress: ', but no egress rule allows ' };

export function ruleText(direction: Direction, rule: Pick<CompiledRule, 'index' | 'peers' | 'ports'>): RuleText {
  const field = FIELD[direction];
  const ports = describePortList(rule.ports);
  const peers = rule.peers.kind === 'any' ? ['any peer'] : rule.peers.peers.map(describePeer);
  return {
    allows: `: ${field} rule ${rule.index} allows `,
    via: peers.map((p) => ` (${p}; ${ports})`),
    nearMiss: `; ${field} rule ${rule.index} admits the peer but only on ${ports}`,
  };
}

export function policyText(kind: PolicyKind, display: string): PolicyText {
  const head = `${kind} ${display}`;
  return { head, selects: `${head} selects ` };
}

/** The part every reason about one flow shares: "80/TCP from SRC to DST" (both directions read src to dst; ports as kubectl writes them). */
export function flowText(protocol: Protocol, port: number, src: ResolvedEndpoint, dst: ResolvedEndpoint): string {
  return `${port}/${protocol} from ${src.label} to ${dst.label}`;
}

function namespaceHint(o: RuleOutcome, field: string, peer: ResolvedEndpoint): string {
  const hint = o.otherNamespace;
  if (!hint || !peer.pod) return '';
  const scope = hint.peer.kind === 'pods' && hint.peer.namespaces.kind === 'policyNamespace' ? `only in namespace ${hint.namespace}` : 'only in other namespaces';
  return `; ${field} rule ${hint.rule.index} matches ${peer.label}'s labels (${describePeer(hint.peer)}) but ${scope}, and ${peer.label} is in ${peer.pod.namespace.name}: add a namespaceSelector to admit it`;
}

/**
 * Why an address no pod owned at the flow's time is judged by that address alone, whoever holds
 * it now: the one wording of it, in a verdict's reason (peerNote) and in a flow's notes (endNote).
 */
function unownedText(end: ResolvedEndpoint): string {
  return `${end.label} was owned by no known pod at the flow's time`;
}

function peerNote(peer: ResolvedEndpoint): string {
  switch (peer.identity) {
    case 'pod':
      return '';
    case 'hostNetwork':
      return `; ${peer.label} is a hostNetwork pod, so only ipBlock and empty peers can match it`;
    case 'unknown':
      if (peer.missingPod) return `; pod ${peer.missingPod} is not known, so only ipBlock and empty peers can match`;
      return `; ${peer.label} is not a known pod, so only ipBlock and empty peers can match`;
    case 'unowned':
      return `; ${unownedText(peer)}, so only ipBlock and empty peers can match`;
  }
}

/** A flow's note on one end (`which` is "source" or "destination"): why it was not judged as a pod; '' for a pod. */
export function endNote(which: string, end: ResolvedEndpoint): string {
  switch (end.identity) {
    case 'pod':
      return '';
    case 'hostNetwork':
      return `${which} ${end.label} uses the host network; policies do not select it and only ipBlock matches it`;
    case 'unknown':
      if (end.missingPod) return `${which} pod ${end.missingPod} is not known; only ipBlock and empty peers can match it`;
      return `${which} ${end.label} is not owned by a known pod; only ipBlock and empty peers can match it`;
    case 'unowned':
      return `${which} ${unownedText(end)}; only ipBlock and empty peers can match it`;
  }
}

/** One direction of a flow as a policy judges it: `target` is the end the policy selects, `peer` the other. */
export interface DirectionEnds {
  direction: Direction;
  target: ResolvedEndpoint;
  peer: ResolvedEndpoint;
}

/** `flow` is flowText(...) for the flow being judged. */
export function explain(policy: CompiledPolicy, ends: DirectionEnds, flow: string, outcome: RuleOutcome): string {
  const { direction, target, peer } = ends;
  const rule = outcome.allowedBy;
  if (rule) {
    const via = rule.text.via[outcome.peerIndex] ?? ` (${describePeerList(rule.peers)}; ${describePortList(rule.ports)})`;
    return policy.reasonTexts.head + rule.text.allows + flow + via;
  }
  const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
  if (!rules || rules.length === 0) return policy.reasonTexts.selects + target.label + NO_RULES[direction] + flow + ')';
  const near = outcome.peerOnly ? outcome.peerOnly.text.nearMiss : '';
  return policy.reasonTexts.selects + target.label + NONE_ALLOWS[direction] + flow + near + namespaceHint(outcome, FIELD[direction], peer) + peerNote(peer);
}
