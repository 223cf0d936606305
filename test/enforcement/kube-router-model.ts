/**
 * What kube-router v2.1.0's network policy controller lets through between two pods of one copy, read from
 * its source (pkg/controllers/netpol/: policy.go builds a chain per policy, pod.go a firewall chain per
 * pod), so that a disagreement between kguardian and the enforcer can be told apart: kube-router doing what
 * its source says where that departs from the API documentation, or something else.
 *
 * How kube-router enforces, as modelled here:
 * - The API server defaults a NetworkPolicy before kube-router reads it: policyTypes (Ingress, plus Egress
 *   when there are egress rules) and each port's protocol (TCP).
 * - Each policy gets one chain. Ingress rules match destinations among the policy's pods, egress rules
 *   sources among them; a rule that matches marks the packet.
 * - Each pod gets one firewall chain, traversed by a packet from the pod and by a packet to it. It jumps to
 *   the chain of every policy selecting the pod: an Ingress policy only for packets to the pod, an Egress one
 *   only for packets from it, a policy with both types for every packet. Without an Ingress (or Egress)
 *   policy, packets to (or from) the pod are marked by a default chain. An unmarked packet is rejected.
 * - A packet between two pods passes both pods' chains: it connects when both mark it.
 *
 * Each way this departs from the API documentation that this universe can show is a switch (`Deviation`);
 * with every switch off the model is the API's semantics, which `kube-router-model.test.ts` checks against kguardian's engine over
 * the whole corpus.
 */
import type { IPBlock, LabelSelector, LabelSelectorRequirement, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, Protocol } from '../../policy/types.js';
import type { PolicyDef } from './scenarios/types.js';
import { NAME_LABEL } from './scenarios/types.js';
import { NAMESPACE_LABELS, PORTS, PROTOCOLS, portName, type Copy, type PodSlot } from './universe.js';

/** kube-router v2.1.0's departures from the API documentation that the model can switch on. */
export type Deviation =
  /** A policy with both types is one chain, jumped to by its pods' chains for packets either way. */
  | 'both-types-one-chain'
  /** A rule with pod peers whose ports are all named ports resolving on no pod admits every port. */
  | 'unresolved-named-ports'
  /** An egress rule's named ports do not apply to its ipBlock peers. */
  | 'egress-ipblock-named-port'
  /** The ipBlock peers of one rule share one set, so one peer's except removes the address from all. */
  | 'ipblock-excepts-shared';

export const DEVIATIONS: readonly Deviation[] = [
  'both-types-one-chain', 'unresolved-named-ports', 'egress-ipblock-named-port', 'ipblock-excepts-shared',
];

/** One probe as the model sees it: two pods of the copy, a port and a protocol. */
export interface ModelProbe {
  src: PodSlot;
  dst: PodSlot;
  port: number;
  protocol: Protocol;
}

interface Defaulted {
  namespace: string;
  ingress: boolean;
  egress: boolean;
  podSelector: LabelSelector | undefined;
  ingressRules: NetworkPolicyIngressRule[];
  egressRules: NetworkPolicyEgressRule[];
}

/** A label selector against labels, as the API defines it. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (selector.matchExpressions ?? []).every((r) => requirementHolds(r, labels));
}

function requirementHolds(r: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const listed = has && (r.values ?? []).includes(labels[r.key] ?? '');
  switch (r.operator) {
    case 'In': return listed;
    case 'NotIn': return !listed;
    case 'Exists': return has;
    default: return !has;
  }
}

function ipv4(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** The IPv4 address is in the CIDR. */
export function inCidr(ip: string, cidr: string): boolean {
  const [net = '', bits = '32'] = cidr.split('/');
  const prefix = Number(bits);
  if (prefix === 0) return true;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return ((ipv4(ip) & mask) >>> 0) === ((ipv4(net) & mask) >>> 0);
}

function prefixOf(cidr: string): number {
  return Number(cidr.split('/')[1] ?? 32);
}

/** The namespace labels the copy's namespaces carry (universe.ts's manifest). */
function namespaceLabels(pod: PodSlot): Record<string, string> {
  return { ns: pod.modelNamespace, ...NAMESPACE_LABELS[pod.modelNamespace], [NAME_LABEL]: pod.namespace, 'kguardian.dev/enforcement-test': 'true' };
}

/** The API server's defaulting of what kube-router reads. */
function defaulted(policy: PolicyDef, copy: Copy): Defaulted {
  const { spec } = policy;
  const types = spec.policyTypes ?? ['Ingress', ...((spec.egress ?? []).length > 0 ? ['Egress' as const] : [])];
  const ports = (list: NetworkPolicyPort[] | undefined): NetworkPolicyPort[] | undefined =>
    list?.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  return {
    namespace: copy.namespaces[policy.namespace],
    ingress: types.includes('Ingress'),
    egress: types.includes('Egress'),
    podSelector: spec.podSelector,
    ingressRules: (spec.ingress ?? []).map((r) => ({ ...r, ...(r.ports ? { ports: ports(r.ports) } : {}) })),
    egressRules: (spec.egress ?? []).map((r) => ({ ...r, ...(r.ports ? { ports: ports(r.ports) } : {}) })),
  };
}

/** The pods a peer with a pod or namespace selector names (kube-router's evalPodPeer); none for an ipBlock. */
function peerPods(peer: NetworkPolicyPeer, policyNamespace: string, copy: Copy): PodSlot[] {
  if (peer.namespaceSelector) {
    return copy.pods.filter((p) => selects(peer.namespaceSelector, namespaceLabels(p)) && selects(peer.podSelector, p.labels));
  }
  if (peer.podSelector) return copy.pods.filter((p) => p.namespace === policyNamespace && selects(peer.podSelector, p.labels));
  return [];
}

/** The address is in the rule's ipBlock peers: one shared set (kube-router) or each peer on its own (the API). */
function inIpBlocks(blocks: IPBlock[], ip: string, shared: boolean): boolean {
  if (!shared) return blocks.some((b) => inCidr(ip, b.cidr) && !(b.except ?? []).some((e) => inCidr(ip, e)));
  // A hash:net set with nomatch entries: the most specific entry holding the address decides (the last added of equals).
  let best: { prefix: number; match: boolean } | undefined;
  for (const b of blocks) {
    const entries = [{ cidr: b.cidr, match: true }, ...(b.except ?? []).map((e) => ({ cidr: e, match: false }))];
    for (const e of entries) {
      if (!inCidr(ip, e.cidr)) continue;
      const prefix = prefixOf(e.cidr);
      if (best === undefined || prefix >= best.prefix) best = { prefix, match: e.match };
    }
  }
  return best?.match ?? false;
}

/** The number of a pod's container port of that name and protocol: every model pod serves serve-PORT-PROTO. */
function namedPortOn(_pod: PodSlot, name: string, protocol: string): number | undefined {
  for (const port of PORTS) {
    for (const p of PROTOCOLS) if (p === protocol && portName(port, p) === name) return port;
  }
  return undefined;
}

function numericMatches(p: NetworkPolicyPort, probe: ModelProbe): boolean {
  if (p.protocol !== probe.protocol) return false;
  if (p.port === undefined) return true;
  const port = p.port as number;
  const end = p.endPort !== undefined && p.endPort >= port ? p.endPort : port;
  return probe.port >= port && probe.port <= end;
}

/** A named port entry matches when the destination pod has it, on the probe's port and protocol (the API's reading). */
function namedMatches(p: NetworkPolicyPort, probe: ModelProbe): boolean {
  return p.protocol === probe.protocol && namedPortOn(probe.dst, p.port as string, p.protocol) === probe.port;
}

interface RuleView {
  ports: NetworkPolicyPort[] | undefined;
  numeric: NetworkPolicyPort[];
  named: NetworkPolicyPort[];
}

function view(ports: NetworkPolicyPort[] | undefined): RuleView {
  return { ports, numeric: (ports ?? []).filter((p) => typeof p.port !== 'string'), named: (ports ?? []).filter((p) => typeof p.port === 'string') };
}

function portsMatch(v: RuleView, probe: ModelProbe, named: (p: NetworkPolicyPort) => boolean): boolean {
  if (v.ports === undefined || v.ports.length === 0) return true;
  return v.numeric.some((p) => numericMatches(p, probe)) || v.named.some(named);
}

/** An ingress rule of a policy selecting the destination admits the probe (kube-router's processIngressRules). */
function ingressRuleAdmits(rule: NetworkPolicyIngressRule, selecting: { policy: Defaulted; targets: PodSlot[] }, probe: ModelProbe, copy: Copy, on: ReadonlySet<Deviation>): boolean {
  const { policy, targets } = selecting;
  const v = view(rule.ports);
  const named = (p: NetworkPolicyPort): boolean => namedMatches(p, probe);
  const from = rule.from ?? [];
  if (from.length === 0) return portsMatch(v, probe, named);
  const sources = from.flatMap((f) => peerPods(f, policy.namespace, copy));
  if (sources.includes(probe.src)) {
    // Named ports resolve on the policy's pods; with none resolved and no numeric port, kube-router writes a rule for every port.
    const resolved = v.named.filter((p) => targets.some((t) => namedPortOn(t, p.port as string, p.protocol ?? 'TCP') !== undefined));
    if (v.ports !== undefined && v.ports.length > 0 && v.numeric.length === 0 && resolved.length === 0) {
      if (on.has('unresolved-named-ports')) return true;
    } else if (portsMatch(v, probe, named)) return true;
  }
  const blocks = from.filter((f) => f.ipBlock && !f.podSelector && !f.namespaceSelector).map((f) => f.ipBlock as IPBlock);
  return blocks.length > 0 && inIpBlocks(blocks, probe.src.ip ?? '', on.has('ipblock-excepts-shared')) && portsMatch(v, probe, named);
}

/** An egress rule of a policy selecting the source admits the probe (kube-router's processEgressRules). */
function egressRuleAdmits(rule: NetworkPolicyEgressRule, policy: Defaulted, probe: ModelProbe, copy: Copy, on: ReadonlySet<Deviation>): boolean {
  const v = view(rule.ports);
  const named = (p: NetworkPolicyPort): boolean => namedMatches(p, probe);
  const to = rule.to ?? [];
  // Without `to`, kube-router resolves named ports on the policy's own namespace's pods and admits any destination
  // on those numbers (buildNetworkPoliciesInfo); every model pod declares the same ports, so here that is the API's reading.
  if (to.length === 0) return portsMatch(v, probe, named);
  const destinations = to.flatMap((t) => peerPods(t, policy.namespace, copy));
  if (destinations.includes(probe.dst)) {
    const resolved = v.named.filter((p) => destinations.some((d) => namedPortOn(d, p.port as string, p.protocol ?? 'TCP') !== undefined));
    if (v.ports !== undefined && v.ports.length > 0 && v.numeric.length === 0 && resolved.length === 0) {
      if (on.has('unresolved-named-ports')) return true;
    } else if (portsMatch(v, probe, named)) return true;
  }
  const blocks = to.filter((t) => t.ipBlock && !t.podSelector && !t.namespaceSelector).map((t) => t.ipBlock as IPBlock);
  if (blocks.length === 0 || !inIpBlocks(blocks, probe.dst.ip ?? '', on.has('ipblock-excepts-shared'))) return false;
  return portsMatch(v, probe, on.has('egress-ipblock-named-port') ? () => false : named);
}

/** The probe is marked in the firewall chain of `end` (its source or its destination). */
function chainMarks(end: PodSlot, policies: Defaulted[], probe: ModelProbe, copy: Copy, on: ReadonlySet<Deviation>): boolean {
  const isSrc = end === probe.src;
  const selecting = policies.filter((p) => p.namespace === end.namespace && selects(p.podSelector, end.labels));
  const ingressSelected = selecting.some((p) => p.ingress);
  const egressSelected = selecting.some((p) => p.egress);
  // The default chain marks packets of a direction no policy selects the pod for.
  if (!isSrc && !ingressSelected) return true;
  if (isSrc && !egressSelected) return true;
  const oneChain = on.has('both-types-one-chain');
  return selecting.some((p) => {
    const both = p.ingress && p.egress;
    // Which of the policy's rules this packet meets in this chain.
    const ingressRules = p.ingress && (!isSrc || (both && oneChain));
    const egressRules = p.egress && (isSrc || (both && oneChain));
    const targets = copy.pods.filter((t) => t.namespace === p.namespace && selects(p.podSelector, t.labels));
    if (ingressRules && targets.includes(probe.dst) && p.ingressRules.some((r) => ingressRuleAdmits(r, { policy: p, targets }, probe, copy, on))) return true;
    return egressRules && targets.includes(probe.src) && p.egressRules.some((r) => egressRuleAdmits(r, p, probe, copy, on));
  });
}

/** The probe connects under the scenario's policies, with the given deviations switched on. */
export function connects(policies: PolicyDef[], copy: Copy, probe: ModelProbe, on: ReadonlySet<Deviation>): boolean {
  const ds = policies.map((p) => defaulted(p, copy));
  return chainMarks(probe.src, ds, probe, copy, on) && chainMarks(probe.dst, ds, probe, copy, on);
}

const NO_DEVIATION: ReadonlySet<Deviation> = new Set();

/** What the API says of one direction of a probe: no policy selects that end for it, or the ones that do allow or deny it. */
export type ApiSide = 'unselected' | 'allow' | 'deny';

/**
 * The API's judgement (every deviation off) of each direction on its own: egress at the source, ingress at the
 * destination. This is what kguardian's evaluator predicts from the enforced NetworkPolicies for each observed end
 * (`verify`), where `connects` says only whether both pass.
 */
export function apiSides(policies: PolicyDef[], copy: Copy, probe: ModelProbe): { egress: ApiSide; ingress: ApiSide } {
  const ds = policies.map((p) => defaulted(p, copy));
  const side = (end: PodSlot, type: 'ingress' | 'egress'): ApiSide => {
    if (!ds.some((p) => p[type] && p.namespace === end.namespace && selects(p.podSelector, end.labels))) return 'unselected';
    return chainMarks(end, ds, probe, copy, NO_DEVIATION) ? 'allow' : 'deny';
  };
  return { egress: side(probe.src, 'egress'), ingress: side(probe.dst, 'ingress') };
}
