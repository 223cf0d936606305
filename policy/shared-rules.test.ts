/**
 * Contract of shared-rules.ts: two policies share a compiled rule only when the rules behave
 * identically (same direction, index, peers and ports); any difference that matters keeps them apart.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import type { NetworkPolicyIngressRule } from './types.js';
import { anp, np } from './testing/testkit.js';

const base: NetworkPolicyIngressRule = {
  from: [{ podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { env: 'prod' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
  ports: [{ port: 80 }, { port: 'http', protocol: 'TCP' }],
};

function firstRule(ns: string, rules: NetworkPolicyIngressRule[], kind: 'np' | 'anp' = 'np'): unknown {
  const make = kind === 'np' ? np : anp;
  const policy = compilePolicy(make(`${ns}/p`, { podSelector: {}, ingress: rules })).policy;
  expect(policy).toBeDefined();
  return policy?.ingress?.at(-1);
}

describe('rules are shared only when identical', () => {
  it.each<{ title: string; other: NetworkPolicyIngressRule[]; kind?: 'np' | 'anp'; shared: boolean }>([
    { title: 'the same rule in another namespace', other: [base], shared: true },
    { title: 'the same rule in another kind of policy', other: [base], kind: 'anp', shared: true },
    // matchLabels and an In expression with one value select the same pods.
    {
      title: 'the same selector written as an expression',
      other: [{ ...base, from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, namespaceSelector: { matchLabels: { env: 'prod' } } }, base.from![1]!] }],
      shared: true,
    },
    { title: 'another pod label value', other: [{ ...base, from: [{ podSelector: { matchLabels: { app: 'api' } } }, base.from![1]!] }], shared: false },
    { title: 'no namespaceSelector (the policy namespace instead)', other: [{ ...base, from: [{ podSelector: { matchLabels: { app: 'web' } } }, base.from![1]!] }], shared: false },
    { title: 'another except', other: [{ ...base, from: [base.from![0]!, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.2.0.0/16'] } }] }], shared: false },
    { title: 'another port protocol', other: [{ ...base, ports: [{ port: 80, protocol: 'UDP' }, { port: 'http', protocol: 'TCP' }] }], shared: false },
    { title: 'a port range instead of a port', other: [{ ...base, ports: [{ port: 80, endPort: 81 }, { port: 'http', protocol: 'TCP' }] }], shared: false },
    { title: 'no ports (all ports)', other: [{ from: base.from! }], shared: false },
    { title: 'no peers (all peers)', other: [{ ports: base.ports! }], shared: false },
    // The index is part of the rule: reasons name it.
    { title: 'the same rule at another index', other: [{}, base], shared: false },
  ])('$title: shared $shared', ({ other, kind, shared }) => {
    const a = firstRule('prod', [base]);
    const b = firstRule('dev', other, kind);
    expect(a === b).toBe(shared);
  });

  // Reasons name the direction ("ingress rule 0 allows"), so an egress rule never borrows an ingress one.
  it('the same peers and ports in the other direction are not shared', () => {
    const ingress = firstRule('prod', [base]);
    const policy = compilePolicy(np('dev/p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: base.from!, ports: base.ports! }] })).policy;
    expect(policy?.egress?.[0]).toBeDefined();
    expect(policy?.egress?.[0]).not.toBe(ingress);
  });
});
