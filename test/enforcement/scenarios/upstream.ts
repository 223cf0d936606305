/**
 * The upstream network-policy e2e scenarios (k8s.io/kubernetes test/e2e/network/netpol), as the policy
 * sets they put in force, the same cases policy/upstream-netpol*.test.ts checks the engine against. A case
 * that changes its policies in steps (an update, a second policy stacked on the first) is one scenario per
 * step, each with the policies in force at that step. Cases that only relabel pods or namespaces, delete
 * every policy, or need SCTP or IPv6 have no step here: the pods' labels are fixed while the test runs,
 * an empty set judges nothing, this kernel has no SCTP, and the enforcer runs IPv4 only.
 */
import type { NetworkPolicyPeer, NetworkPolicySpec } from '../../../policy/types.js';
import type { ModelNamespace } from '../universe.js';
import { NAME_LABEL, type CopyContext, type PolicyDef, type ScenarioDef } from './types.js';

type Step = (c: CopyContext) => [`${ModelNamespace}/${string}`, NetworkPolicySpec][];

const POD_A = { matchLabels: { pod: 'a' } };
const POD_B = { matchLabels: { pod: 'b' } };
const nsIs = (c: CopyContext, n: ModelNamespace): { matchLabels: Record<string, string> } => ({ matchLabels: { [NAME_LABEL]: c.ns(n) } });
const fromY = (c: CopyContext): NetworkPolicyPeer[] => [{ namespaceSelector: nsIs(c, 'y') }];
const egressTo = (...to: NetworkPolicyPeer[]): NetworkPolicySpec => ({ podSelector: POD_A, policyTypes: ['Egress'], egress: [{ to }] });
/** The node's pod range holds every pod of every copy. */
const WIDE = '10.254.128.0/24';

const CASES: [string, Step][] = [
  ["default-deny-ingress", () => [['x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }]]],
  ["default-deny-all", () => [['x/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] }]]],
  ['allow-all policy', () => [['x/allow-all', { podSelector: { matchLabels: {} }, ingress: [{}] }]]],
  ['allow-all policy with empty lists', () => [['x/allow-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [], ports: [] }] }]]],
  ['allow ingress traffic for a target', () => [
    ['x/deny-all', { podSelector: {}, policyTypes: ['Ingress'] }],
    ['x/allow-all-to-a', { podSelector: POD_A, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] }]]],
  ['allow ingress traffic from pods in all namespaces', () => [
    ['x/allow-from-another-ns', { podSelector: POD_A, ingress: [{ from: [{ namespaceSelector: { matchLabels: {} } }] }] }]]],
  ['deny ingress from pods on other namespaces', () => [
    ['x/deny-empty-policy', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: {} } }] }] }]]],
  ['allow traffic from pods within server namespace based on PodSelector', () => [
    ['x/x-a-allows-x-b', { podSelector: POD_A, ingress: [{ from: [{ podSelector: POD_B }] }] }]]],
  ['allow traffic only from a different namespace, based on NamespaceSelector', (c) => [
    ['x/allow-client-a-via-ns-selector', { podSelector: POD_A, ingress: [{ from: fromY(c) }] }]]],
  ['PodSelector with MatchExpressions', () => [
    ['x/x-a-allows-x-b', { podSelector: POD_A, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }] }]]],
  ['NamespaceSelector with MatchExpressions', (c) => [
    ['x/allow-ns-y-match-selector', { podSelector: POD_A, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: [c.ns('y')] }] } }] }] }]]],
  ['PodSelector or NamespaceSelector', (c) => [
    ['x/allow-ns-y-match-selector', { podSelector: POD_A, ingress: [{ from: [
      { namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: [c.ns('x')] }] } },
      { podSelector: POD_B },
    ] }] }]]],
  ['PodSelector and NamespaceSelector', (c) => [
    ['x/allow-ns-y-podselector-and-nsselector', { podSelector: POD_A, ingress: [{ from: [
      { namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: [c.ns('x')] }] }, podSelector: POD_B },
    ] }] }]]],
  ['Multiple PodSelectors and NamespaceSelectors', (c) => [
    ['x/allow-ns-y-z-pod-b-c', { podSelector: POD_A, ingress: [{ from: [{
      namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: [c.ns('x')] }] },
      podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
    }] }] }]]],
  ['any PodSelectors', () => [
    ['x/allow-ns-x-pod-b-c', { podSelector: POD_A, ingress: [{ from: [{ podSelector: POD_B }, { podSelector: { matchLabels: { pod: 'c' } } }] }] }]]],
  ['allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', (c) => [
    ['x/allow-ns-y-pod-a-via-namespace-pod-selector', { podSelector: POD_A, ingress: [{ from: [{ namespaceSelector: nsIs(c, 'y'), podSelector: POD_A }] }] }]]],
  ['NamespaceSelector with MatchExpressions using default ns label (egress)', (c) => [
    ['x/allow-ns-y-match-selector-for-immutable-ns-label', { podSelector: POD_A, policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: [c.ns('y')] }] } }] }] }]]],
  // Ports.
  ['Ports', (c) => [['x/allow-client-a-via-ns-selector', { podSelector: POD_A, ingress: [{ from: fromY(c), ports: [{ port: 81, protocol: 'TCP' }] }] }]]],
  ['multiple, stacked policies with overlapping podSelectors', (c) => [
    ['x/allow-client-a-via-ns-selector', { podSelector: POD_A, ingress: [{ from: fromY(c), ports: [{ port: 81, protocol: 'TCP' }] }] }],
    ['x/allow-client-a-via-ns-selector-80', { podSelector: POD_A, ingress: [{ from: fromY(c), ports: [{ port: 80, protocol: 'TCP' }] }] }]]],
  ['ingress policy allowing any port traffic to a server on a specific protocol', () => [
    ['x/allow-ingress-by-proto', { podSelector: POD_A, ingress: [{ ports: [{ protocol: 'TCP' }] }] }]]],
  ['ingress access on one named port', () => [['x/allow-all', { podSelector: { matchLabels: {} }, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] }]]],
  ['ingress access from namespace on one named port', (c) => [
    ['x/allow-client-a-via-ns-selector-80', { podSelector: POD_A, ingress: [{ from: fromY(c), ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }] }]]],
  ['egress access on one named port', () => [
    ['x/allow-egress', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] }]]],
  ['named port only on the protocol the policy names', () => [
    ['x/named-udp-without-protocol', { podSelector: POD_A, ingress: [{ ports: [{ port: 'serve-80-udp' }] }] }],
    ['x/named-udp-with-protocol', { podSelector: POD_A, ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] }]]],
  ["not mistakenly treat 'protocol: SCTP' as 'protocol: TCP'", () => [
    ['x/deny-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }],
    ['x/allow-only-sctp-ingress-on-port-81', { podSelector: POD_A, ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] }]]],
  ['properly isolate pods that are selected by a policy allowing SCTP', () => [
    ['x/allow-only-sctp-ingress-on-port-80', { podSelector: POD_A, ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }] }]]],
  ['not allow access by TCP when a policy specifies only UDP', () => [
    ['x/allow-only-udp-ingress-on-port-81', { podSelector: POD_A, ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }] }]]],
  ['UDP: Ports', (c) => [['x/allow-ingress-on-port-81-ns-x', { podSelector: POD_A, ingress: [{ from: fromY(c), ports: [{ port: 81, protocol: 'UDP' }] }] }]]],
  ['endPort: inclusive range 80-81', (c) => [
    ['x/allow-80-81-from-y', { podSelector: POD_A, ingress: [{ from: fromY(c), ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] }]]],
  ['endPort equal to port (81-81)', (c) => [
    ['x/allow-81-81-from-y', { podSelector: POD_A, ingress: [{ from: fromY(c), ports: [{ protocol: 'TCP', port: 81, endPort: 81 }] }] }]]],
  ['endPort: both edges of a range and nothing past them', () => [
    ['x/allow-up-to-80', { podSelector: POD_A, ingress: [{ ports: [{ port: 1, endPort: 80 }] }] }],
    ['x/allow-from-81', { podSelector: POD_B, ingress: [{ ports: [{ port: 81, endPort: 65535 }] }] }],
    ['x/allow-82-up', { podSelector: { matchLabels: { pod: 'c' } }, ingress: [{ ports: [{ port: 82, endPort: 65535 }] }] }]]],
  ['endPort ranges on egress, per protocol', () => [
    ['x/egress-udp-80-81', { podSelector: POD_A, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 80, endPort: 81 }] }] }]]],
  // Egress.
  ['deny egress from pods based on PodSelector', () => [['x/deny-egress-pod-a', { podSelector: POD_A, policyTypes: ['Egress'], egress: [] }]]],
  ['deny egress from all pods in a namespace', () => [['x/deny-egress-ns-x', { podSelector: {}, policyTypes: ['Egress'], egress: [] }]]],
  ['egress to a server in a different namespace based on PodSelector and NamespaceSelector', (c) => [
    ['x/allow-to-ns-y-pod-a', egressTo({ namespaceSelector: nsIs(c, 'y'), podSelector: POD_A })]]],
  ['denying of egress traffic on the client side (even if the server explicitly allows this traffic)', (c) => {
    const fromXa = [{ namespaceSelector: nsIs(c, 'x'), podSelector: POD_A }];
    return [
      ['x/allow-to-ns-y-pod-a', egressTo({ namespaceSelector: nsIs(c, 'y'), podSelector: POD_A })],
      ['y/allow-from-xa-on-ya-match-selector', { podSelector: POD_A, ingress: [{ from: fromXa }] }],
      ['y/allow-from-xa-on-yb-match-selector', { podSelector: POD_B, ingress: [{ from: fromXa }] }],
    ];
  }],
  ['multiple egress policies with egress allow-all policy taking precedence (first step)', () => [
    ['x/allow-egress-port-80', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }]]],
  ['multiple egress policies with egress allow-all policy taking precedence', () => [
    ['x/allow-egress-port-80', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }],
    ['x/allow-egress', { podSelector: { matchLabels: {} }, policyTypes: ['Egress'], egress: [{}] }]]],
  ['Ingress, Egress specified together', () => [
    ['x/allow-client-a-via-pod-selector', { podSelector: POD_A, policyTypes: ['Egress', 'Ingress'],
      ingress: [{ from: [{ podSelector: POD_B }] }], egress: [{ ports: [{ port: 80 }] }] }]]],
  ['multiple ingress policies with ingress allow-all policy taking precedence (first step)', () => [
    ['x/allow-ingress-port-80', { podSelector: { matchLabels: {} }, ingress: [{ ports: [{ port: 80 }] }] }]]],
  ['multiple ingress policies with ingress allow-all policy taking precedence', () => [
    ['x/allow-ingress-port-80', { podSelector: { matchLabels: {} }, ingress: [{ ports: [{ port: 80 }] }] }],
    ['x/allow-ingress', { podSelector: { matchLabels: {} }, ingress: [{}] }]]],
  ['ingress and egress policies can be controlled independently based on PodSelector', () => [
    ['x/allow-egress-for-target', { podSelector: POD_A, policyTypes: ['Egress'], egress: [{}] }],
    ['x/deny-ingress-via-label-selector', { podSelector: POD_A, policyTypes: ['Ingress'], ingress: [] }]]],
  ['updated policy (deny-all after the update)', () => [
    ['x/allow-all-mutate-to-deny-all', { podSelector: { matchLabels: {} }, policyTypes: ['Ingress'], ingress: [] }]]],
  ['same policy name in another namespace', () => [
    ['x/deny', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }],
    ['y/deny', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }]]],
  ['ingress from a namespace label that no namespace has yet', () => [
    ['x/allow-client-a-via-ns-selector', { podSelector: POD_A, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }] }]]],
  ['ingress from a pod label that no pod has yet', () => [
    ['x/allow-client-a-via-pod-selector', { podSelector: POD_A, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b', pod2: 'updated' } } }] }] }]]],
  // ipBlock (IPv4).
  ['egress access to server in CIDR block', (c) => [['x/allow-client-a-via-cidr-egress-rule', egressTo({ ipBlock: { cidr: `${c.ip('y/b')}/32` } })]]],
  ['except clause while egress access to server in CIDR block', (c) => [
    ['x/allow-client-a-via-cidr-egress-rule', egressTo({ ipBlock: { cidr: WIDE, except: [`${c.ip('x/b')}/32`] } })]]],
  ["an IP excepted by one rule's ipBlock when another rule's CIDR holds it", (c) => [
    ['x/wide-except-b-plus-b', { podSelector: POD_A, policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: WIDE, except: [`${c.ip('x/b')}/32`] } }] }, { to: [{ ipBlock: { cidr: `${c.ip('x/b')}/32` } }] }] }]]],
  ['an IP excepted by one policy when another policy selecting the pod allows it', (c) => [
    ['x/wide-except-b', egressTo({ ipBlock: { cidr: WIDE, except: [`${c.ip('x/b')}/32`] } })],
    ['x/just-b', egressTo({ ipBlock: { cidr: `${c.ip('x/b')}/32` } })]]],
  ['ingress from a client in a CIDR block', (c) => [
    ['x/allow-from-y-b-cidr', { podSelector: POD_A, ingress: [{ from: [{ ipBlock: { cidr: `${c.ip('y/b')}/32` } }] }] }]]],
];

function slug(i: number): string {
  return `u${String(i).padStart(2, '0')}`;
}

export const UPSTREAM_SCENARIOS: readonly ScenarioDef[] = CASES.map(([title, step], i): ScenarioDef => ({
  id: slug(i),
  source: 'upstream',
  title,
  policies: (c): PolicyDef[] => step(c).map(([ref, spec]) => {
    const [namespace, name] = ref.split('/') as [ModelNamespace, string];
    return { namespace, name, spec };
  }),
}));
