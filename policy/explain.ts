/**
 * The reason sentences attached to verdicts. Kept apart from evaluation so wording can change
 * in one place, and so golden files pin the exact text users read.
 *
 * Every sentence is a few fixed parts (built once per policy and direction, see `textsFor`)
 * around the per-flow part "PROTOCOL/PORT from SRC to DST" (built once per flow, see `flowText`):
 * a reason is then a handful of concatenations, never a format or a lookup.
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

interface RuleText {
  /** "HEAD: FIELD rule N allows " */
  allows: string;
  /** Per peer index: " (PEER; PORTS)" */
  via: readonly string[];
  /** "; FIELD rule N admits the peer but only on PORTS" */
  nearMiss: string;
}

interface DirectionText {
  /** "HEAD selects " */
  selects: string;
  /** " and has no FIELD rules, so all FIELD is denied (" */
  noRules: string;
  /** ", but no FIELD rule allows " */
  noneAllows: string;
  rules: readonly RuleText[];
}

/** A policy's sentence parts per direction (a direction it lacks reads as one without rules). */
export interface ReasonTexts {
  ingress: DirectionText;
  egress: DirectionText;
}

function ruleText(head: string, field: string, rule: CompiledRule): RuleText {
  const ports = describePortList(rule.ports);
  const peers = rule.peers.kind === 'any' ? ['any peer'] : rule.peers.peers.map(describePeer);
  return {
    allows: `${head}: ${field} rule ${rule.index} allows `,
    via: peers.map((p) => ` (${p}; ${ports})`),
    nearMiss: `; ${field} rule ${rule.index} admits the peer but only on ${ports}`,
  };
}

function directionText(head: string, direction: Direction, rules: readonly CompiledRule[] | null): DirectionText {
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  return {
    selects: `${head} selects `,
    noRules: ` and has no ${field} rules, so all ${field} is denied (`,
    noneAllows: `, but no ${field} rule allows `,
    rules: (rules ?? []).map((r) => ruleText(head, field, r)),
  };
}

/** Built on first use and kept on the compiled policy, which never changes. */
function textsFor(policy: CompiledPolicy): ReasonTexts {
  if (policy.reasonTexts === undefined) {
    const head = `${policy.kind} ${policy.display}`;
    policy.reasonTexts = { ingress: directionText(head, 'Ingress', policy.ingress), egress: directionText(head, 'Egress', policy.egress) };
  }
  return policy.reasonTexts;
}

/** The part every reason about one flow shares: "TCP/80 from SRC to DST" (both directions read src to dst). */
export function flowText(protocol: Protocol, port: number, src: ResolvedEndpoint, dst: ResolvedEndpoint): string {
  return `${protocol}/${port} from ${src.label} to ${dst.label}`;
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

/** `flow` is flowText(...) for the flow being judged. */
export function explain(policy: CompiledPolicy, direction: Direction, target: ResolvedEndpoint, peer: ResolvedEndpoint, flow: string, outcome: RuleOutcome): string {
  const text = direction === 'Ingress' ? textsFor(policy).ingress : textsFor(policy).egress;
  const rule = outcome.allowedBy;
  if (rule) {
    const rt = text.rules[rule.index];
    const via = rt?.via[outcome.peerIndex] ?? ` (${describePeerList(rule.peers)}; ${describePortList(rule.ports)})`;
    return (rt?.allows ?? '') + flow + via;
  }
  if (text.rules.length === 0) return text.selects + target.label + text.noRules + flow + ')';
  const near = outcome.peerOnly ? (text.rules[outcome.peerOnly.index]?.nearMiss ?? '') : '';
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  return text.selects + target.label + text.noneAllows + flow + near + namespaceHint(outcome, field, peer) + peerNote(peer);
}
