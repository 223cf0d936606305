// Classification of disagreements: a kube-router deviation where the model of kube-router predicts the
// enforcer's result and the API's semantics kguardian's verdict, naming the deviations that decide the probe
// (whether or not the flow was captured in full); otherwise a capture gap when it was not; anything else a
// kguardian bug.
import { describe, expect, it } from 'vitest';
import { classify, decidingDeviations, type Case } from './classify.js';
import type { KguardianJudgement } from './judge.js';
import type { PolicyDef } from './scenarios/types.js';
import { makeCopy, probesOf } from './universe.js';

const copy = makeCopy(0);
copy.pods.forEach((p, i) => { p.ip = `10.254.128.${10 + i}`; });
const ip = (model: string): string => copy.pods.find((p) => p.model === model)?.ip ?? '';
const probe = (key: string) => {
  const p = probesOf(copy).find((x) => x.key === key);
  if (!p) throw new Error(key);
  return p;
};
const DENIED: KguardianJudgement = { denied: true, reasons: ['denied'], verdicts: [] };
const ALLOWED: KguardianJudgement = { denied: false, reasons: ['allowed'], verdicts: [] };
const CONNECTED = { ok: true, detail: '' };
const FAILED = { ok: false, detail: 'timeout' };

function policyIn(spec: PolicyDef['spec']): PolicyDef[] {
  return [{ namespace: 'x', name: 'p0', spec }];
}

function makeCase(policies: PolicyDef[], key: string, kg: KguardianJudgement, outcome: { ok: boolean; detail: string }, captured = true): Case {
  return {
    placed: { scenario: { id: 'r001', source: 'random', title: 't', policies: () => policies }, copy, policies },
    probe: probe(key), kg, outcome, first: outcome, captured,
  };
}

const twoWayEgressAll = policyIn({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{}] });
const unresolved = policyIn({ podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 'serve-82-tcp' }] }] });
const ipBlockNamed = policyIn({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.254.128.0/24' } }], ports: [{ port: 'serve-80-tcp' }] }] });
const twoExcepts = policyIn({ podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ to: [
  { ipBlock: { cidr: '10.254.128.0/24', except: [`${ip('y/a')}/32`] } }, { ipBlock: { cidr: '10.254.128.0/24', except: [`${ip('z/a')}/32`] } }] }] });

describe('classify', () => {
  it.each([
    { name: 'not captured, kguardian not the API: a capture gap', c: makeCase(ipBlockNamed, 'x/a->y/b:80/TCP', DENIED, CONNECTED, false),
      want: 'capture gap', deviations: undefined },
    { name: 'not captured, the enforcer doing what neither predicts: a capture gap', c: makeCase(twoWayEgressAll, 'y/a->x/b:80/TCP', DENIED, CONNECTED, false),
      want: 'capture gap', deviations: undefined },
    { name: 'not captured, but kguardian said what the API says and the model predicts the enforcer: the deviation',
      c: makeCase(twoWayEgressAll, 'x/a->x/b:80/UDP', DENIED, CONNECTED, false), want: 'kube-router deviation', deviations: ['both-types-one-chain'] },
    { name: 'a two-way policy\'s egress rule admitting ingress to its own pod', c: makeCase(twoWayEgressAll, 'x/a->x/b:80/TCP', DENIED, CONNECTED),
      want: 'kube-router deviation', deviations: ['both-types-one-chain'] },
    { name: 'a named port no pod resolves, from a named peer', c: makeCase(unresolved, 'x/b->x/a:81/UDP', DENIED, CONNECTED),
      want: 'kube-router deviation', deviations: ['unresolved-named-ports'] },
    { name: 'egress to an ipBlock on a named port', c: makeCase(ipBlockNamed, 'x/a->y/a:80/TCP', ALLOWED, FAILED),
      want: 'kube-router deviation', deviations: ['egress-ipblock-named-port'] },
    { name: 'one ipBlock\'s except taking the address from the other', c: makeCase(twoExcepts, 'x/a->y/a:80/TCP', ALLOWED, FAILED),
      want: 'kube-router deviation', deviations: ['ipblock-excepts-shared'] },
    { name: 'kguardian denying what the API allows', c: makeCase(ipBlockNamed, 'x/a->y/b:80/TCP', DENIED, CONNECTED),
      want: 'kguardian bug', deviations: undefined },
    { name: 'the enforcer doing what neither predicts (a probe of another pod of the two-way policy\'s namespace from outside)',
      c: makeCase(twoWayEgressAll, 'y/a->x/b:80/TCP', DENIED, CONNECTED), want: 'kguardian bug', deviations: undefined },
    { name: 'a named port resolving: kube-router and the API agree, so the connection is unexplained',
      c: makeCase(policyIn({ podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'serve-80-tcp' }] }] }),
        'x/b->x/a:81/TCP', DENIED, CONNECTED), want: 'kguardian bug', deviations: undefined },
  ])('$name: $want', ({ c, want, deviations }) => {
    const d = classify(c);
    expect(d.classification).toBe(want);
    expect(d.deviations).toEqual(deviations);
    if (want === 'kube-router deviation') expect(d.explanation).toMatch(/The API reference/);
    expect(d.explanation.includes('not recorded from both ends')).toBe(!c.captured);
  });

  it('reports both enforced results: the settled one compared, and the first', () => {
    const d = classify({ ...makeCase(twoWayEgressAll, 'x/a->x/b:80/TCP', DENIED, CONNECTED), first: FAILED });
    expect([d.enforcer, d.enforcerFirst]).toEqual(['connected', 'failed (timeout)']);
  });
});

describe('decidingDeviations', () => {
  it('names the deviation without which kube-router would do what the API says', () => {
    expect(decidingDeviations(twoWayEgressAll, copy, probe('x/a->x/b:80/TCP'))).toEqual(['both-types-one-chain']);
  });
  it('names each of two that would each do it alone', () => {
    // x/a's two-way policy: its ingress rule (from x/b on a name no pod resolves) admits x/a->x/b's egress
    // through the one chain; and with the name unresolved, that rule admits every port.
    const both = policyIn({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'serve-82-tcp' }] }], egress: [] });
    expect(decidingDeviations(both, copy, probe('x/a->x/b:80/TCP'))).toEqual(['both-types-one-chain', 'unresolved-named-ports']);
  });
});
