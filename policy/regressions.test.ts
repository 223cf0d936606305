/**
 * Regression cases for engine bugs found by review: each row is a case that once crashed or
 * gave a wrong answer, checked against the behaviour upstream Kubernetes has.
 */
import { describe, expect, it } from 'vitest';
import { canonicalIp, parseAddress } from './address.js';
import { compilePolicy } from './compile.js';
import { evaluateFlow } from './evaluate.js';
import { anp, buildState, flow, podInfo } from './testing/testkit.js';

describe('engine regressions', () => {
  it('a label value that is an object is a problem, not a crash', () => {
    const obj = { kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: { matchLabels: { a: { toString: 1 } } } } };
    const { policy, problems } = compilePolicy(obj);
    expect(policy).toBeUndefined();
    expect(problems).toEqual([{ severity: 'error', path: 'spec.podSelector.matchLabels.a', code: 'type', message: 'has the wrong type: label values must be strings' }]);
  });

  it.each([
    { title: 'a value with a space', values: ['a b'], path: 'spec.podSelector.matchExpressions[0].values[0]' },
    { title: 'a value starting with a dash', values: ['ok', '-x'], path: 'spec.podSelector.matchExpressions[0].values[1]' },
  ])('matchExpressions values are validated as label values: $title', ({ values, path }) => {
    const { problems } = compilePolicy({ kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values }] } } });
    expect(problems.map((p) => [p.path, p.code])).toEqual([[path, 'labelValue']]);
  });

  it('an invalid replacement removes the old policy instead of leaving a stale spec in force', () => {
    const good = anp('prod/p', { podSelector: {}, policyTypes: ['Ingress'] });
    const state = buildState({ pods: [podInfo('prod/a', { ips: ['10.0.0.1'] }), podInfo('prod/b', { ips: ['10.0.0.2'] })], policies: [good] });
    expect(evaluateFlow(state, flow('prod/b', 'prod/a')).verdicts).toHaveLength(1);
    const bad = anp('prod/p', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] });
    expect(state.upsertPolicy(bad).policy).toBeUndefined();
    expect(state.listPolicies()).toEqual([]);
    expect(evaluateFlow(state, flow('prod/b', 'prod/a')).verdicts).toEqual([]);
  });

  it.each([
    // "::a.b.c.d" is IPv4-compatible IPv6, a different address from IPv4 a.b.c.d.
    { text: '::10.0.0.1', canonical: '::a00:1' },
    { text: '::a00:1', canonical: '::a00:1' },
    { text: '::ffff:10.0.0.1', canonical: '10.0.0.1' },
    { text: '0:0:0:0:0:ffff:10.0.0.1', canonical: '10.0.0.1' },
  ])('$text has the canonical form $canonical', ({ text, canonical }) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  it.each(['fe80::1%eth0', 'fe80::1%1'])('a zone id is not an address: %s', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });

  it('a zone id in a CIDR is rejected', () => {
    const { problems } = compilePolicy({ kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fe80::%eth0/64' } }] }] } });
    expect(problems.map((p) => p.code)).toEqual(['cidr']);
  });

  it('hostNetwork pods sharing a node IP stay identified when one of them goes away', () => {
    const state = buildState({
      pods: [podInfo('kube-system/proxy', { ips: ['192.168.0.10'], hostNetwork: true }), podInfo('kube-system/exporter', { ips: ['192.168.0.10'], hostNetwork: true })],
    });
    state.deletePod('kube-system', 'proxy');
    const end = state.resolve({ ip: '192.168.0.10' }, undefined);
    expect(end.identity).toBe('hostNetwork');
    expect(end.label).toBe('kube-system/exporter');
    state.deletePod('kube-system', 'exporter');
    expect(state.resolve({ ip: '192.168.0.10' }, undefined).identity).toBe('unknown');
  });
});
