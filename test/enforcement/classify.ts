/**
 * Why kguardian and the enforcer disagree on a probe. In order:
 * - capture gap: the probe's flow did not reach the broker from both ends (or did not connect with
 *   nothing enforced), so kguardian had nothing, or not everything, to judge;
 * - kube-router deviation: the disagreement is one of kube-router's known departures from the
 *   NetworkPolicy API documentation (each rule below quotes the documentation it departs from);
 * - kguardian bug: anything else, until explained.
 */
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from '../../policy/types.js';
import type { ProbeOutcome } from './testing/probes.js';
import type { Disagreement, KguardianJudgement } from './judge.js';
import { NAME_LABEL, type PolicyDef, type ScenarioDef } from './scenarios/types.js';
import { NAMESPACE_LABELS, portName, type Copy, type ModelNamespace, type PodSlot, type Probe } from './universe.js';

export interface Case {
  placed: { scenario: ScenarioDef; copy: Copy; policies: PolicyDef[] };
  probe: Probe;
  kg: KguardianJudgement;
  outcome: ProbeOutcome;
  /** The probe connected with nothing enforced and the broker stored its flow from both ends. */
  captured: boolean;
}

interface Deviation {
  /** Quoted from the networking.k8s.io/v1 API reference or the concept page. */
  doc: string;
  applies(c: Case): boolean;
}

/** A label selector against labels (matchLabels and the four operators), as the API defines it. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key];
    const ok = r.operator === 'In' ? has && (r.values ?? []).includes(value ?? '')
      : r.operator === 'NotIn' ? !has || !(r.values ?? []).includes(value ?? '')
        : r.operator === 'Exists' ? has : !has;
    if (!ok) return false;
  }
  return true;
}

function egressTypes(spec: NetworkPolicySpec): boolean {
  return spec.policyTypes ? spec.policyTypes.includes('Egress') : spec.egress !== undefined;
}

/**
 * kube-router resolves the named ports of an egress rule without `to` against the pods of the policy's own
 * namespace only, so it drops traffic to a pod of another namespace on a port of that name: a probe
 * kguardian allows because such a rule admits it, which fails when enforced.
 */
const EGRESS_NAMED_PORT_OWN_NAMESPACE: Deviation = {
  doc: 'kube-router resolves the named ports of an egress rule that has no `to` against the pods of the policy\'s ' +
    'own namespace only (pkg/controllers/netpol/policy.go, buildNetworkPoliciesInfo: "we must try to grab NamedPort ' +
    'from pods that in same namespace"). The API reference, NetworkPolicyEgressRule.to: "If this field is empty or ' +
    'missing, this rule matches all destinations (traffic not restricted by destination)"; NetworkPolicyPort.port: ' +
    '"This can either be a numerical or named port on a pod."',
  applies(c) {
    if (c.kg.denied || c.outcome.ok) return false;
    const { probe } = c;
    return c.placed.policies.some((p) =>
      p.namespace === probe.src.modelNamespace && probe.dst.modelNamespace !== p.namespace &&
      selects(p.spec.podSelector, probe.src.labels) && egressTypes(p.spec) &&
      (p.spec.egress ?? []).some((r) => (r.to === undefined || r.to.length === 0) && (r.ports ?? []).some((port) =>
        typeof port.port === 'string' && (port.protocol ?? 'TCP') === probe.protocol && port.port === portName(probe.port, probe.protocol))));
  },
};

/** A named port some pod of the model has: serve-80-tcp ... serve-81-udp, on the protocol it names. */
function resolves(port: NetworkPolicyPort): boolean {
  if (typeof port.port !== 'string') return true;
  const m = /^serve-(80|81)-(tcp|udp)$/.exec(port.port);
  return m !== null && m[2] === (port.protocol ?? 'TCP').toLowerCase();
}

/** The peer (of a rule of a policy in `policyNs`) names this pod; ipBlock peers are left out. */
function podPeerMatches(peer: NetworkPolicyPeer, policyNs: string, pod: PodSlot, copy: Copy): boolean {
  if (peer.ipBlock) return false;
  const nsLabels = { ns: pod.modelNamespace, ...NAMESPACE_LABELS[pod.modelNamespace], [NAME_LABEL]: pod.namespace, 'kguardian.dev/enforcement-test': 'true' };
  if (peer.namespaceSelector) return selects(peer.namespaceSelector, nsLabels) && selects(peer.podSelector, pod.labels);
  return copy.namespaces[policyNs as ModelNamespace] === pod.namespace && selects(peer.podSelector, pod.labels);
}

/**
 * kube-router turns a rule with pod peers whose every port is a named port no pod resolves (a name none has,
 * or one on another protocol) into a rule for every port: it builds the rule from the numeric ports and the
 * resolved named ones, and with both lists empty takes the branch for a rule without ports
 * (pkg/controllers/netpol/policy.go: "If the ingress policy contains no ports at all create the policy based
 * only on IP"). So it connects what kguardian, following the API, denies.
 */
const UNRESOLVED_NAMED_PORTS_ALLOW_ALL: Deviation = {
  doc: 'kube-router makes a rule whose ports are all named ports that resolve on no pod into a rule for every port ' +
    '(pkg/controllers/netpol/policy.go: "If the ingress policy contains no ports at all create the policy based only ' +
    'on IP"). The API reference, NetworkPolicyIngressRule.ports: "If this field is present and contains at least one ' +
    'item, then this rule allows traffic only if the traffic matches at least one port in the list"; ' +
    'NetworkPolicyPort.port: "If present, only traffic on the specified protocol AND port will be matched."',
  applies(c) {
    if (!c.kg.denied || !c.outcome.ok) return false;
    const { probe, placed } = c;
    const unresolved = (ports: NetworkPolicyPort[] | undefined): boolean =>
      ports !== undefined && ports.length > 0 && ports.every((p) => typeof p.port === 'string' && !resolves(p));
    return placed.policies.some((p) => {
      const ns = placed.copy.namespaces[p.namespace];
      const types = p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      const ingress = types.includes('Ingress') && ns === probe.dst.namespace && selects(p.spec.podSelector, probe.dst.labels) &&
        (p.spec.ingress ?? []).some((r) => unresolved(r.ports) && (r.from ?? []).some((f) => podPeerMatches(f, p.namespace, probe.src, placed.copy)));
      const egress = types.includes('Egress') && ns === probe.src.namespace && selects(p.spec.podSelector, probe.src.labels) &&
        (p.spec.egress ?? []).some((r) => unresolved(r.ports) && (r.to ?? []).some((t) => podPeerMatches(t, p.namespace, probe.dst, placed.copy)));
      return ingress || egress;
    });
  },
};

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

/**
 * kube-router applies only the numeric ports of an egress rule to its ipBlock peers: named ports are
 * resolved from the pods the rule's pod peers select, so an ipBlock that holds a pod reached on a named
 * port gets no rule and the traffic is dropped. kguardian resolves the name on the destination pod.
 */
const EGRESS_IPBLOCK_NAMED_PORT: Deviation = {
  doc: 'kube-router applies only the numeric ports of an egress rule to its ipBlock peers (pkg/controllers/netpol/' +
    'policy.go, processEgressRules: the ipBlock rules loop over egressRule.ports; named ports are resolved from peer ' +
    'pods only). The API reference, NetworkPolicyPort.port: "The port on the given protocol. This can either be a ' +
    'numerical or named port on a pod."; NetworkPolicyEgressRule.to: "If this field is empty or missing, this rule ' +
    'matches all destinations ... If this field is present and contains at least one item, this rule allows traffic ' +
    'only if the traffic matches at least one item in the to list."',
  applies(c) {
    if (c.kg.denied || c.outcome.ok) return false;
    const { probe, placed } = c;
    const ip = probe.dst.ip;
    if (ip === undefined) return false;
    return placed.policies.some((p) => placed.copy.namespaces[p.namespace] === probe.src.namespace &&
      selects(p.spec.podSelector, probe.src.labels) && egressTypes(p.spec) &&
      (p.spec.egress ?? []).some((r) =>
        (r.ports ?? []).some((port) => typeof port.port === 'string' && resolves(port) &&
          port.port === portName(probe.port, probe.protocol)) &&
        (r.to ?? []).some((t) => t.ipBlock !== undefined && inCidr(ip, t.ipBlock.cidr) &&
          !(t.ipBlock.except ?? []).some((e) => inCidr(ip, e)))));
  },
};

/** kube-router v2.1.0's departures from the API documentation, found by this test. */
export const DEVIATIONS: readonly Deviation[] = [EGRESS_NAMED_PORT_OWN_NAMESPACE, UNRESOLVED_NAMED_PORTS_ALLOW_ALL, EGRESS_IPBLOCK_NAMED_PORT];

export function classify(c: Case): Disagreement {
  const base = {
    scenario: c.placed.scenario.id,
    title: c.placed.scenario.title,
    flow: `${c.probe.src.namespace}/${c.probe.src.pod} -> ${c.probe.dst.namespace}/${c.probe.dst.pod} ${c.probe.port}/${c.probe.protocol}`,
    kguardian: c.kg.denied ? 'WouldDeny' as const : 'Allow' as const,
    reasons: c.kg.reasons,
    enforcer: c.outcome.ok ? 'connected' : `failed (${c.outcome.detail})`,
  };
  if (!c.captured) {
    return { ...base, classification: 'capture gap', explanation: 'the flow was not recorded from both ends with nothing enforced' };
  }
  const deviation = DEVIATIONS.find((d) => d.applies(c));
  if (deviation) return { ...base, classification: 'kube-router deviation', explanation: deviation.doc };
  return { ...base, classification: 'kguardian bug', explanation: 'not explained by a capture gap or a known kube-router deviation' };
}
