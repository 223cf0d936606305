/**
 * Why kguardian and the enforcer disagree on a probe:
 * - kube-router deviation: the model of kube-router v2.1.0 (kube-router-model.ts) predicts the enforcer's
 *   result with its departures from the API documentation switched on, and kguardian's verdict with them
 *   off; the explanation names the departures that decide this probe and quotes the documentation each
 *   departs from. This holds when the flow was not captured in full too: kguardian's verdict was the API's
 *   all the same, so the missing capture is not why they disagree (the explanation says it was missing);
 * - capture gap, otherwise, when the probe's flow did not reach the broker from both ends (or did not
 *   connect with nothing enforced), so kguardian had nothing, or not everything, to judge;
 * - kguardian bug: anything else, until explained (the explanation says which side the model does not
 *   predict: kguardian's verdict against the API's semantics, or the enforcer's result against kube-router's
 *   source).
 */
import type { Disagreement, KguardianJudgement } from './judge.js';
import { connects, DEVIATIONS, type Deviation } from './kube-router-model.js';
import type { PolicyDef, ScenarioDef } from './scenarios/types.js';
import type { ProbeOutcome } from './testing/probes.js';
import type { Copy, Probe } from './universe.js';

export interface Case {
  placed: { scenario: ScenarioDef; copy: Copy; policies: PolicyDef[] };
  probe: Probe;
  kg: KguardianJudgement;
  /** The enforced probe's settled result (tried again after a fresh sync when it disagreed at first). */
  outcome: ProbeOutcome;
  /** Its first enforced result. */
  first: ProbeOutcome;
  /** The probe connected with nothing enforced and the broker stored its flow from both ends. */
  captured: boolean;
}

const SOURCE = 'kube-router v2.1.0, pkg/controllers/netpol/';

/**
 * What kube-router does, where in its source, and the API documentation (networking.k8s.io/v1 field
 * comments, k8s.io/api/networking/v1/types.go) it departs from.
 */
export const DEVIATION_DOCS: Record<Deviation, string> = {
  'both-types-one-chain':
    `a policy with both policyTypes is one chain that its pods' firewall chains jump to for packets either way (${SOURCE}pod.go, ` +
    'setupPodNetpolRules: the jump for kubeBothPolicyType has no -d/-s), so its egress rules admit ingress to its own pods and its ' +
    'ingress rules egress from them. The API reference, NetworkPolicySpec.ingress: "Traffic is allowed to a pod if there are no ' +
    'NetworkPolicies selecting the pod (...), OR if the traffic source is the pod\'s local node, OR if the traffic matches at least one ' +
    'ingress rule across all of the NetworkPolicy objects whose podSelector matches the pod"; NetworkPolicySpec.egress: "Outgoing ' +
    'traffic is allowed if there are no NetworkPolicies selecting the pod (...), OR if the traffic matches at least one egress rule ' +
    'across all of the NetworkPolicy objects whose podSelector matches the pod."',
  'unresolved-named-ports':
    `a rule with pod peers whose ports are all named ports no pod resolves (a name none has, or one on another protocol) becomes a rule for every port (${SOURCE}` +
    'policy.go: "If the ingress policy contains no ports at all create the policy based only on IP"). The API reference, ' +
    'NetworkPolicyIngressRule.ports: "If this field is present and contains at least one item, then this rule allows traffic only if ' +
    'the traffic matches at least one port in the list"; NetworkPolicyPort.port: "If present, only traffic on the specified protocol ' +
    'AND port will be matched."',
  'egress-ipblock-named-port':
    `an egress rule's named ports are not applied to its ipBlock peers, only its numeric ports are (${SOURCE}policy.go, processEgressRules: ` +
    'the ipBlock rules loop over egressRule.ports; named ports are resolved from peer pods only). The API reference, ' +
    'NetworkPolicyPort.port: "The port on the given protocol. This can either be a numerical or named port on a pod."; ' +
    'NetworkPolicyEgressRule.to: "If this field is present and contains at least one item, this rule allows traffic only if the ' +
    'traffic matches at least one item in the to list."',
  'ipblock-excepts-shared':
    `the ipBlock peers of one rule share one hash:net ipset whose except entries are nomatch (${SOURCE}policy.go, evalIPBlockPeer and ` +
    'the rule\'s srcIPBlocks/dstIPBlocks), so one peer\'s except removes the address from every peer of the rule. The API reference, ' +
    'NetworkPolicyIngressRule.from: "Items in this list are combined using a logical OR operation"; IPBlock: "The except entry ' +
    'describes CIDRs that should not be included within this rule" (of its own IPBlock: "except is a slice of CIDRs that should not ' +
    'be included within an IPBlock").',
};

const ALL: ReadonlySet<Deviation> = new Set(DEVIATIONS);
const NONE: ReadonlySet<Deviation> = new Set();

/**
 * The deviations that decide the probe: those without which kube-router would do what the API says (each
 * necessary one); when none is necessary alone (two would each do it), those that alone suffice.
 */
export function decidingDeviations(policies: PolicyDef[], copy: Copy, probe: Probe): Deviation[] {
  const kube = connects(policies, copy, probe, ALL);
  const necessary = DEVIATIONS.filter((d) => connects(policies, copy, probe, new Set(DEVIATIONS.filter((x) => x !== d))) !== kube);
  if (necessary.length > 0) return necessary;
  return DEVIATIONS.filter((d) => connects(policies, copy, probe, new Set([d])) === kube);
}

function result(o: ProbeOutcome): string {
  return o.ok ? 'connected' : `failed (${o.detail})`;
}

export function classify(c: Case): Disagreement {
  const { probe, placed } = c;
  const base = {
    scenario: placed.scenario.id,
    title: placed.scenario.title,
    flow: `${probe.src.namespace}/${probe.src.pod} -> ${probe.dst.namespace}/${probe.dst.pod} ${probe.port}/${probe.protocol}`,
    kguardian: c.kg.denied ? 'WouldDeny' as const : 'Allow' as const,
    reasons: c.kg.reasons,
    enforcer: result(c.outcome),
    enforcerFirst: result(c.first),
  };
  const api = connects(placed.policies, placed.copy, probe, NONE);
  const kube = connects(placed.policies, placed.copy, probe, ALL);
  const uncaptured = 'the flow was not recorded from both ends with nothing enforced';
  // kguardian said what the API says and the model predicts the enforcer: a missing capture did not decide it.
  const explained = api === !c.kg.denied && kube === c.outcome.ok;
  if (!explained && !c.captured) return { ...base, classification: 'capture gap', explanation: uncaptured };
  if (api !== !c.kg.denied) {
    return { ...base, classification: 'kguardian bug', explanation: `kguardian's verdict is not the API's: the model with no deviation says ${api ? 'Allow' : 'WouldDeny'}` };
  }
  if (kube !== c.outcome.ok) {
    return { ...base, classification: 'kguardian bug', explanation: `not explained: kube-router's model predicts ${kube ? 'connected' : 'failed'}, as the API does` };
  }
  const deciding = decidingDeviations(placed.policies, placed.copy, probe);
  const explanation = deciding.map((d) => `kube-router ${DEVIATION_DOCS[d]}`).join(' And: ');
  return { ...base, classification: 'kube-router deviation', deviations: deciding,
    explanation: c.captured ? explanation : `${explanation} (${uncaptured}; kguardian's verdict is the API's all the same)` };
}
