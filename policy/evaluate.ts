/**
 * Judges flows. For each flow: identify both ends, ask every policy that selects the source
 * (egress) or the destination (ingress) whether one of its rules admits the flow, and combine
 * them the way Kubernetes does: within a direction a flow passes when no policy selects the
 * end or any selecting policy allows it; a flow passes when both directions do.
 *
 * `effective` combines enforced and audit policies as if all were enforced together (what
 * promoting would do); `enforced` uses the NetworkPolicies alone (what the CNI does today).
 *
 * This runs once per observed flow, so it allocates only what it returns: ends resolved by IP
 * come from the state's cache with each pod's policies pre-filtered and pre-sorted
 * (judged-policies.ts), and a direction's tally is a few bits.
 */
import { family, lookupAddress } from './address.js';
import type { ClusterState } from './cluster-state.js';
import type { CompiledPolicy, CompiledRule } from './compiled.js';
import type { DirectionEnds, RuleOutcome } from './explain.js';
import { endNote, explain, flowText } from './explain.js';
import type { ResolvedEndpoint } from './model.js';
import { matchingPeer } from './peer.js';
import { portListMatches } from './port.js';
import { matchesSelector } from './selector.js';
import type { ContainerPort, Direction, DirectionOutcome, EffectiveVerdict, Flow, FlowEndpoint, FlowEvaluation, PodRef, PolicyVerdict } from './types.js';

// A direction's tally as bits.
const SELECTED = 1;
const ALLOWED = 2;
const SELECTED_ENFORCED = 4;
const ALLOWED_ENFORCED = 8;

// Reused for every rule list judged: explain() reads it before the next judgement overwrites it.
const outcome: RuleOutcome = { allowedBy: undefined, peerIndex: -1, peerOnly: undefined, otherNamespace: undefined };

/** What judging every policy of one flow shares. */
interface FlowJudgement {
  flow: Pick<Flow, 'protocol' | 'port'>;
  dstPorts: readonly ContainerPort[] | undefined;
  /** The flow as reasons quote it; undefined when no reason is built. */
  text: string | undefined;
  /** Reasons for audit policies only: a NetworkPolicy's verdict gets none. */
  auditOnly: boolean;
  /** Where the verdicts go, in order. */
  verdicts: PolicyVerdict[];
}

function judgeRules(rules: readonly CompiledRule[], peer: ResolvedEndpoint, policyNamespace: string, j: FlowJudgement): RuleOutcome {
  outcome.allowedBy = undefined;
  outcome.peerIndex = -1;
  outcome.peerOnly = undefined;
  outcome.otherNamespace = undefined;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as CompiledRule;
    const peerIndex = matchingPeer(rule.peers, peer, policyNamespace);
    if (peerIndex < 0) continue;
    if (portListMatches(rule.ports, j.flow.protocol, j.flow.port, j.dstPorts)) {
      outcome.allowedBy = rule;
      outcome.peerIndex = peerIndex;
      outcome.peerOnly = undefined;
      return outcome;
    }
    outcome.peerOnly ??= rule;
  }
  return outcome;
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

const OUTCOMES: readonly DirectionOutcome[] = ['NotSelected', 'Allow', 'Deny'];

/** A direction's outcome as an index into OUTCOMES. */
function outcomeOf(tally: number, selected: number, allowed: number): number {
  return (tally & selected) === 0 ? 0 : (tally & allowed) !== 0 ? 1 : 2;
}

/**
 * The nine possible combined verdicts (ingress outcome * 3 + egress outcome), made once and
 * frozen: every evaluation shares them, so a memoised evaluation holds two fewer objects.
 */
const COMBINED: readonly EffectiveVerdict[] = OUTCOMES.flatMap((i) => OUTCOMES.map((e) => Object.freeze({ ingress: i, egress: e, allowed: i !== 'Deny' && e !== 'Deny' })));

function combine(ingress: number, egress: number, selected: number, allowed: number): EffectiveVerdict {
  return COMBINED[outcomeOf(ingress, selected, allowed) * 3 + outcomeOf(egress, selected, allowed)] as EffectiveVerdict;
}

/** One policy's bits of a direction's tally. */
function tallyOf(policy: CompiledPolicy, allowed: boolean): number {
  const bits = allowed ? SELECTED | ALLOWED : SELECTED;
  if (!policy.enforced) return bits;
  return bits | (allowed ? SELECTED_ENFORCED | ALLOWED_ENFORCED : SELECTED_ENFORCED);
}

/** A direction's tally alone, for a direction whose verdicts are not listed. */
function tallyDirection(policies: readonly CompiledPolicy[], ends: DirectionEnds, j: FlowJudgement): number {
  const { direction, target, peer } = ends;
  let tally = 0;
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i] as CompiledPolicy;
    const rules = (direction === 'Ingress' ? policy.ingress : policy.egress) ?? [];
    tally |= tallyOf(policy, judgeRules(rules, peer, target.namespace, j).allowedBy !== undefined);
  }
  return tally;
}

function judgeDirection(policies: readonly CompiledPolicy[], ends: DirectionEnds, j: FlowJudgement): number {
  const { direction, target, peer } = ends;
  let tally = 0;
  const namespace = target.namespace;
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i] as CompiledPolicy;
    // judgedPolicies lists a policy under a direction only when it has rules for it.
    const rules = (direction === 'Ingress' ? policy.ingress : policy.egress) ?? [];
    const text = policy.enforced && j.auditOnly ? undefined : j.text;
    const result = judgeRules(rules, peer, namespace, j);
    const allowed = result.allowedBy !== undefined;
    if (!allowed && !result.peerOnly && text !== undefined) result.otherNamespace = otherNamespaceMatch(rules, peer, namespace);
    tally |= tallyOf(policy, allowed);
    const reason = text === undefined ? '' : explain(policy, ends, text, result);
    const verdict: PolicyVerdict = { policy: policy.display, kind: policy.kind, direction, verdict: allowed ? 'Allow' : 'WouldDeny', reason, ref: policy.ref };
    if (result.allowedBy) verdict.rule = result.allowedBy.index;
    j.verdicts.push(verdict);
  }
  return tally;
}

function endpointNotes(src: ResolvedEndpoint, dst: ResolvedEndpoint): string[] {
  const notes: string[] = [];
  const s = endNote('source', src);
  if (s !== '') notes.push(s);
  const d = endNote('destination', dst);
  if (d !== '') notes.push(d);
  return notes;
}

const LOOPBACK = COMBINED[0] as EffectiveVerdict;

export interface EvaluateOptions {
  /**
   * Which verdicts get reason sentences: all (true, the default), none (false: callers that only
   * count verdicts), or 'audit': an audit policy's verdicts only (the evaluator, whose
   * NetworkPolicy verdicts feed predictions and never reach a person). A verdict without one has ''.
   */
  reasons?: boolean | 'audit';
  /**
   * List the verdicts of this direction only; the other direction is judged all the same (it
   * decides `effective` and `enforced`) but lists none. For a caller that answers for one observed
   * direction and keeps nothing (the evaluator, for a flow seen once). Default: both.
   */
  direction?: Direction;
}

/** An end identified by its address alone, whatever the other end is. */
function byIpOnly(end: FlowEndpoint): boolean {
  return end.kind === 'unowned' || (end.ip !== undefined && (end.pod === undefined || end.namespace === undefined));
}

/** Identifies both ends; an end named by pod borrows the other end's address family for its own address. */
function resolveEnds(state: ClusterState, flow: Flow): [ResolvedEndpoint, ResolvedEndpoint] {
  if (byIpOnly(flow.src) && byIpOnly(flow.dst)) return [state.resolve(flow.src, undefined), state.resolve(flow.dst, undefined)];
  const srcGiven = flow.src.ip === undefined ? undefined : lookupAddress(flow.src.ip);
  const dstGiven = flow.dst.ip === undefined ? undefined : lookupAddress(flow.dst.ip);
  const src = state.resolve(flow.src, dstGiven?.family, srcGiven);
  const dst = state.resolve(flow.dst, srcGiven?.family ?? (src.address ? family(src.address) : undefined), dstGiven);
  return [src, dst];
}

/** A fresh copy: resolved ends are shared between flows, evaluations are the caller's. */
function refOf(end: ResolvedEndpoint): PodRef | null {
  return end.ref === null ? null : { namespace: end.ref.namespace, pod: end.ref.pod };
}

/** Evaluates one flow against the current state. */
export function evaluateFlow(state: ClusterState, flow: Flow, options?: EvaluateOptions): FlowEvaluation {
  const [src, dst] = resolveEnds(state, flow);
  return evaluateResolved({ src, dst }, flow, options);
}

/** Both ends of a flow as ClusterState.resolve identified them. */
export interface ResolvedEnds {
  src: ResolvedEndpoint;
  dst: ResolvedEndpoint;
}

/**
 * Evaluates one flow whose ends the caller resolved already (`ClusterState.resolve`), for a
 * caller that keeps resolved ends while `state.version` holds: an end given by a valid address
 * resolves the same way whatever the other end is. The ends must come from the state as it is
 * now; an end resolved before a change may name a pod's old labels or policies.
 */
export function evaluateResolved(ends: ResolvedEnds, flow: Pick<Flow, 'protocol' | 'port'>, options?: EvaluateOptions): FlowEvaluation {
  const { src, dst } = ends;
  const reasons = options?.reasons ?? true;
  const notes = src.identity === 'pod' && dst.identity === 'pod' ? [] : endpointNotes(src, dst);
  if (src.pod && src.pod === dst.pod) {
    // Traffic from a pod to itself is never subject to NetworkPolicy.
    notes.push(`${src.label} is talking to itself; NetworkPolicy does not apply to a pod's own traffic`);
    return { src: refOf(src), dst: refOf(dst), verdicts: [], effective: LOOPBACK, enforced: LOOPBACK, notes };
  }
  const egressPolicies = src.egress;
  const ingressPolicies = dst.ingress;
  const listed = options?.direction;
  const described = listed === undefined ? egressPolicies.length + ingressPolicies.length : listed === 'Egress' ? egressPolicies.length : ingressPolicies.length;
  const text = reasons !== false && described > 0 ? flowText(flow.protocol, flow.port, src, dst) : undefined;
  // Egress verdicts first, each list already in verdict order: no sort needed.
  const verdicts: PolicyVerdict[] = [];
  const j: FlowJudgement = { flow, dstPorts: dst.ports, text, auditOnly: reasons === 'audit', verdicts };
  const egress = (listed === 'Ingress' ? tallyDirection : judgeDirection)(egressPolicies, { direction: 'Egress', target: src, peer: dst }, j);
  const ingress = (listed === 'Egress' ? tallyDirection : judgeDirection)(ingressPolicies, { direction: 'Ingress', target: dst, peer: src }, j);
  return {
    src: refOf(src),
    dst: refOf(dst),
    verdicts,
    effective: combine(ingress, egress, SELECTED, ALLOWED),
    enforced: combine(ingress, egress, SELECTED_ENFORCED, ALLOWED_ENFORCED),
    notes,
  };
}
