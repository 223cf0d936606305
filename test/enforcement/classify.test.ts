// Classification of disagreements: label selectors as the API defines them, capture gaps first, and
// kube-router's egress named-port deviation recognised only where it applies.
import { describe, expect, it } from 'vitest';
import type { NetworkPolicyPeer } from '../../policy/types.js';
import { classify, inCidr, selects, type Case } from './classify.js';
import type { PolicyDef } from './scenarios/types.js';
import { makeCopy, probesOf } from './universe.js';

describe('selects', () => {
  const labels = { pod: 'a', tier: 'web' };
  it.each([
    { selector: undefined, want: true },
    { selector: {}, want: true },
    { selector: { matchLabels: { pod: 'a' } }, want: true },
    { selector: { matchLabels: { pod: 'b' } }, want: false },
    { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }] }, want: true },
    { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, want: false },
    { selector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v1'] }] }, want: true },
    { selector: { matchExpressions: [{ key: 'version', operator: 'In', values: ['v1'] }] }, want: false },
    { selector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] }, want: true },
    { selector: { matchExpressions: [{ key: 'pod', operator: 'DoesNotExist' }] }, want: false },
    { selector: { matchLabels: { pod: 'a' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, want: false },
  ])('$selector -> $want', ({ selector, want }) => {
    expect(selects(selector, labels)).toBe(want);
  });
});

describe('classify', () => {
  const copy = makeCopy(0);
  const probe = (key: string) => {
    const p = probesOf(copy).find((x) => x.key === key);
    if (!p) throw new Error(key);
    return p;
  };
  const namedEgress: PolicyDef = { namespace: 'x', name: 'p0', spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] } };
  const scenario = { id: 'u01', source: 'upstream' as const, title: 't', policies: () => [namedEgress] };
  const base = (key: string, over: Partial<Case> = {}): Case => ({
    placed: { scenario, copy, policies: [namedEgress] },
    probe: probe(key),
    kg: { denied: false, reasons: ['allowed'], verdicts: [] },
    outcome: { ok: false, detail: 'timeout' },
    captured: true,
    ...over,
  });

  it.each([
    { name: 'not captured: a capture gap', c: base('x/a->y/b:80/TCP', { captured: false }), want: 'capture gap' },
    { name: 'egress named port to another namespace: kube-router', c: base('x/a->y/b:80/TCP'), want: 'kube-router deviation' },
    { name: 'the same in the own namespace: unexplained', c: base('x/a->x/b:80/TCP'), want: 'kguardian bug' },
    { name: 'another port: unexplained', c: base('x/a->y/b:81/TCP'), want: 'kguardian bug' },
    { name: 'kguardian denied, enforcer connected: unexplained',
      c: base('x/a->y/b:80/TCP', { kg: { denied: true, reasons: [], verdicts: [] }, outcome: { ok: true, detail: '' } }), want: 'kguardian bug' },
  ])('$name', ({ c, want }) => {
    expect(classify(c).classification).toBe(want);
  });

  const unresolved = (ports: { port: string; protocol?: string }[], from: NetworkPolicyPeer[] = [{ podSelector: { matchLabels: { pod: 'b' } } }]): PolicyDef =>
    ({ namespace: 'x', name: 'p0', spec: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from, ports }] } });
  const connectedDespite = (policy: PolicyDef, key: string): Case => ({
    placed: { scenario, copy, policies: [policy] },
    probe: probe(key),
    kg: { denied: true, reasons: ['denied'], verdicts: [] },
    outcome: { ok: true, detail: '' },
    captured: true,
  });
  it.each([
    { name: 'a name no pod has, from a named peer: kube-router allows every port',
      c: connectedDespite(unresolved([{ port: 'serve-82-tcp' }]), 'x/b->x/a:81/UDP'), want: 'kube-router deviation' },
    { name: 'a name on another protocol (serve-80-udp over TCP)',
      c: connectedDespite(unresolved([{ port: 'serve-80-udp' }]), 'x/b->x/a:80/TCP'), want: 'kube-router deviation' },
    { name: 'a name that resolves: unexplained',
      c: connectedDespite(unresolved([{ port: 'serve-80-udp', protocol: 'UDP' }]), 'x/b->x/a:80/TCP'), want: 'kguardian bug' },
    { name: 'a source the peers do not name: unexplained',
      c: connectedDespite(unresolved([{ port: 'serve-82-tcp' }]), 'x/c->x/a:80/TCP'), want: 'kguardian bug' },
    { name: 'an ipBlock peer: kube-router adds no rule, unexplained',
      c: connectedDespite(unresolved([{ port: 'serve-82-tcp' }], [{ ipBlock: { cidr: '0.0.0.0/0' } }]), 'x/b->x/a:80/TCP'), want: 'kguardian bug' },
  ])('$name', ({ c, want }) => {
    expect(classify(c).classification).toBe(want);
  });
});

describe('inCidr', () => {
  it.each([
    { ip: '10.254.128.7', cidr: '10.254.128.0/24', want: true },
    { ip: '10.254.129.7', cidr: '10.254.128.0/24', want: false },
    { ip: '10.254.128.7', cidr: '10.254.128.7/32', want: true },
    { ip: '10.254.128.7', cidr: '10.254.128.6/31', want: true },
    { ip: '10.254.128.8', cidr: '10.254.128.6/31', want: false },
    { ip: '1.2.3.4', cidr: '0.0.0.0/0', want: true },
  ])('$ip in $cidr: $want', ({ ip, cidr, want }) => {
    expect(inCidr(ip, cidr)).toBe(want);
  });
});

describe('classify: egress ipBlock with a named port', () => {
  const copy = makeCopy(0);
  copy.pods.forEach((p, i) => { p.ip = `10.254.128.${10 + i}`; });
  const policy: PolicyDef = { namespace: 'x', name: 'p0', spec: { podSelector: {}, policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.254.128.0/24', except: ['10.254.128.14/32'] } }], ports: [{ port: 'serve-80-tcp' }] }] } };
  const scenario = { id: 'r001', source: 'random' as const, title: 't', policies: () => [policy] };
  const c = (key: string): Case => ({
    placed: { scenario, copy, policies: [policy] },
    probe: probesOf(copy).find((p) => p.key === key) ?? probesOf(copy)[0]!,
    kg: { denied: false, reasons: [], verdicts: [] },
    outcome: { ok: false, detail: 'timeout' },
    captured: true,
  });
  it.each([
    { key: 'x/a->y/a:80/TCP', want: 'kube-router deviation' },
    { key: 'x/a->x/b:80/TCP', want: 'kube-router deviation' },
    { key: 'x/a->y/a:81/TCP', want: 'kguardian bug' },
    // y/b is the 5th pod: 10.254.128.14, excepted.
    { key: 'x/a->y/b:80/TCP', want: 'kguardian bug' },
  ])('$key: $want', ({ key, want }) => {
    expect(classify(c(key)).classification).toBe(want);
  });
});
