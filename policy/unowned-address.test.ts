/**
 * Contract of an UnownedAddress end: an address no pod owned when the flow happened is judged by
 * that address alone, in either direction, even when a pod holds the address now. ipBlock peers
 * (with their `except`, their address family) and empty peers can match it; pod and namespace
 * selectors never do. Each row's address is held by a pod today, whose labels the selectors of the
 * denying rows match: a lookup by address would allow them. The reason and the note say why.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { canonicalIp } from './address.js';
import { evaluateFlow } from './evaluate.js';
import { anp, buildState, endpoint, podInfo } from './testing/testkit.js';
import type { Direction, Flow, FlowEndpoint, NamedEnd, PolicyObject, UnownedAddress, Verdict } from './types.js';

const namespaces = { prod: { team: 'pay' }, web: { team: 'web' } };
const pods = [
  podInfo('prod/api', { labels: { app: 'api' }, ips: ['10.0.1.1', 'fd00::1:1'] }),
  podInfo('web/frontend', { labels: { app: 'frontend' }, ips: ['10.0.2.1', 'fd00::2:1'] }),
  podInfo('web/cache', { labels: { app: 'cache' }, ips: ['10.0.2.2'] }),
];

type Peer = Record<string, unknown>;
/** An audit policy on prod/api admitting ingress from `peers` (none: `from` left out, every peer). */
const ingressFrom = (peers?: Peer[]): PolicyObject => anp('prod/in', { podSelector: { matchLabels: { app: 'api' } }, ingress: [peers ? { from: peers } : {}] });
/** An audit policy on web/frontend admitting egress to `peers`. */
const egressTo = (peers: Peer[]): PolicyObject => anp('web/out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: peers }] });
const ipBlock = (cidr: string, except?: string[]): Peer => ({ ipBlock: except ? { cidr, except } : { cidr } });

const unowned = (ip: string): UnownedAddress => ({ kind: 'unowned', ip });

interface Row {
  title: string;
  direction: Direction;
  policy: PolicyObject;
  /** The unowned address: the source on ingress (to prod/api), the destination on egress (from web/frontend). */
  ip: string;
  verdict: Verdict;
  /** A pod or namespace selector denies: the address looked up instead would be allowed. */
  selector?: true;
}

function flowOf(direction: Direction, end: FlowEndpoint): Flow {
  return direction === 'Ingress' ? { src: end, dst: endpoint('prod/api'), protocol: 'TCP', port: 80 } : { src: endpoint('web/frontend'), dst: end, protocol: 'TCP', port: 80 };
}

const rows: Row[] = [
  // ---- ipBlock matches by the address ----
  { title: 'ingress from an address in an ipBlock', direction: 'Ingress', policy: ingressFrom([ipBlock('10.0.0.0/8')]), ip: '10.0.2.1', verdict: 'Allow' },
  { title: 'egress to an address in an ipBlock', direction: 'Egress', policy: egressTo([ipBlock('10.0.1.0/24')]), ip: '10.0.1.1', verdict: 'Allow' },
  { title: "ingress from an address in an ipBlock's except", direction: 'Ingress', policy: ingressFrom([ipBlock('10.0.0.0/8', ['10.0.2.0/24'])]), ip: '10.0.2.1', verdict: 'WouldDeny' },
  { title: "egress to an address in an ipBlock's except", direction: 'Egress', policy: egressTo([ipBlock('10.0.0.0/8', ['10.0.1.1/32'])]), ip: '10.0.1.1', verdict: 'WouldDeny' },
  { title: 'ingress from outside the ipBlock', direction: 'Ingress', policy: ingressFrom([ipBlock('192.168.0.0/16')]), ip: '10.0.2.1', verdict: 'WouldDeny' },
  { title: '0.0.0.0/0 admits any IPv4 address', direction: 'Ingress', policy: ingressFrom([ipBlock('0.0.0.0/0')]), ip: '10.0.2.1', verdict: 'Allow' },
  { title: '0.0.0.0/0 does not admit an IPv6 address', direction: 'Ingress', policy: ingressFrom([ipBlock('0.0.0.0/0')]), ip: 'fd00::2:1', verdict: 'WouldDeny' },
  { title: '::/0 admits an IPv6 address', direction: 'Egress', policy: egressTo([ipBlock('::/0')]), ip: 'fd00::1:1', verdict: 'Allow' },
  { title: 'an IPv6 ipBlock, the address in a long spelling', direction: 'Ingress', policy: ingressFrom([ipBlock('fd00::/16')]), ip: 'fd00:0:0::2:1', verdict: 'Allow' },
  { title: "an IPv6 ipBlock's except", direction: 'Egress', policy: egressTo([ipBlock('fd00::/16', ['fd00::1:0/112'])]), ip: 'fd00::1:1', verdict: 'WouldDeny' },
  // ---- empty peers match anything ----
  { title: 'a rule with no from', direction: 'Ingress', policy: ingressFrom(), ip: '10.0.2.1', verdict: 'Allow' },
  // ---- selectors never match: the pod holding the address now is not the flow's ----
  { title: 'ingress: a podSelector matching the pod that holds the address now', direction: 'Ingress', policy: ingressFrom([{ podSelector: { matchLabels: { app: 'frontend' } }, namespaceSelector: {} }]), ip: '10.0.2.1', verdict: 'WouldDeny', selector: true },
  { title: 'ingress: a namespaceSelector matching its namespace', direction: 'Ingress', policy: ingressFrom([{ namespaceSelector: { matchLabels: { team: 'web' } } }]), ip: '10.0.2.1', verdict: 'WouldDeny', selector: true },
  { title: 'egress: a podSelector in the policy namespace', direction: 'Egress', policy: egressTo([{ podSelector: {} }]), ip: '10.0.2.2', verdict: 'WouldDeny', selector: true },
  { title: 'egress: every namespace', direction: 'Egress', policy: egressTo([{ namespaceSelector: {} }]), ip: '10.0.1.1', verdict: 'WouldDeny', selector: true },
  { title: 'egress: an IPv6 address and a namespaceSelector', direction: 'Egress', policy: egressTo([{ namespaceSelector: { matchLabels: { team: 'pay' } } }]), ip: 'fd00::1:1', verdict: 'WouldDeny', selector: true },
];

describe('an address no pod owned at the flow\'s time', () => {
  it.each(rows)('$title: $verdict', ({ direction, policy, ip, verdict }) => {
    const e = evaluateFlow(buildState({ namespaces, pods, policies: [policy] }), flowOf(direction, unowned(ip)));
    expect(e.verdicts.map((v) => `${v.direction} ${v.verdict}`)).toEqual([`${direction} ${verdict}`]);
    // Never taken for the pod that holds the address now.
    expect(direction === 'Ingress' ? e.src : e.dst).toBeNull();
    const label = canonicalIp(ip);
    const which = direction === 'Ingress' ? 'source' : 'destination';
    expect(e.notes).toEqual([`${which} ${label} was owned by no known pod at the flow's time; only ipBlock and empty peers can match it`]);
    const [v] = e.verdicts;
    const note = `; ${label} was owned by no known pod at the flow's time, so only ipBlock and empty peers can match`;
    if (verdict === 'WouldDeny') expect(v?.reason.endsWith(note)).toBe(true);
    else expect(v?.reason).not.toContain('owned by no known pod');
  });

  // The same flows with the address given plainly: the engine finds the pod holding it now, and
  // every selector row above allows. What sets the rows apart is the unowned case alone.
  it.each(rows.filter((r) => r.selector))('$title, the address looked up instead: Allow', ({ direction, policy, ip }) => {
    const e = evaluateFlow(buildState({ namespaces, pods, policies: [policy] }), flowOf(direction, { ip }));
    expect(e.verdicts.map((v) => v.verdict)).toEqual(['Allow']);
    expect(direction === 'Ingress' ? e.src : e.dst).not.toBeNull();
  });

  it('an invalid address is labelled as given and matches no ipBlock', () => {
    const e = evaluateFlow(buildState({ namespaces, pods, policies: [ingressFrom([ipBlock('0.0.0.0/0')])] }), flowOf('Ingress', unowned('10.0.2.300')));
    expect(e.verdicts.map((v) => v.verdict)).toEqual(['WouldDeny']);
    expect(e.notes).toEqual(["source 10.0.2.300 was owned by no known pod at the flow's time; only ipBlock and empty peers can match it"]);
  });
});

describe('the engine end, as types', () => {
  it('is a named end or an unowned address, told apart by kind', () => {
    expectTypeOf<FlowEndpoint>().toEqualTypeOf<NamedEnd | UnownedAddress>();
    expectTypeOf<UnownedAddress>().not.toExtend<NamedEnd>();
    expectTypeOf<{ kind: 'unowned' }>().not.toExtend<FlowEndpoint>();
  });
});
