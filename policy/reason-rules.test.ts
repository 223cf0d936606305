// The rule a stored verdict's reason names, read back from sentences the engine itself wrote
// (evaluateFlow), so a change of wording in explain.ts that the reader misses fails here.
import { describe, expect, it } from 'vitest';
import { evaluateFlow } from './evaluate.js';
import { reasonRules, type ReasonRules } from './reason-rules.js';
import { acnp, anp, buildState, flow, podInfo } from './testing/testkit.js';
import type { Flow, PolicyObject } from './types.js';

const namespaces = { prod: { team: 'pay' }, web: { team: 'web' } };
const pods = [
  podInfo('prod/api', { labels: { app: 'api' }, ips: ['10.0.1.1'], ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }),
  podInfo('prod/db', { labels: { app: 'db' }, ips: ['10.0.1.2'] }),
  podInfo('web/frontend', { labels: { app: 'frontend' }, ips: ['10.0.2.1'] }),
];
const api = { matchLabels: { app: 'api' } };
const fromWeb = { namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'frontend' } } };
// Rule 0 admits nobody the flows come from; rule 1 admits the frontend on 8080 only.
const twoRules = anp('prod/api-in', { podSelector: api, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }, { from: [fromWeb], ports: [{ port: 8080 }] }] });

describe('reasonRules names the rule the engine\'s reason is about', () => {
  it.each<{ title: string; policy: PolicyObject; flow: Flow; want: ReasonRules }>([
    { title: 'Allow by the second ingress rule', policy: twoRules, flow: flow('web/frontend', 'prod/api', 'TCP', 8080), want: { direction: 'Ingress', allowedBy: 1, noRules: false } },
    {
      title: 'Allow by an egress rule',
      policy: anp('web/out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }, { ports: [{ port: 'http' }] }] }),
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      want: { direction: 'Egress', allowedBy: 1, noRules: false },
    },
    { title: 'WouldDeny, the peer admitted on other ports by rule 1', policy: twoRules, flow: flow('web/frontend', 'prod/api', 'TCP', 9090), want: { direction: 'Ingress', noRules: false, nearMiss: 1, otherNamespace: undefined } },
    {
      title: 'WouldDeny, rule 0 matches the labels in the policy\'s namespace only',
      policy: anp('prod/same-ns', { podSelector: api, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }] }),
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      want: { direction: 'Ingress', noRules: false, nearMiss: undefined, otherNamespace: 0 },
    },
    {
      title: 'WouldDeny, no rule comes near',
      policy: anp('prod/db-only', { podSelector: api, ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] }),
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      want: { direction: 'Ingress', noRules: false, nearMiss: undefined, otherNamespace: undefined },
    },
    { title: 'WouldDeny, no ingress rules at all', policy: anp('prod/deny-all', { podSelector: {}, policyTypes: ['Ingress'] }), flow: flow('web/frontend', 'prod/api', 'TCP', 8080), want: { direction: 'Ingress', noRules: true } },
    { title: 'WouldDeny, no egress rules at all', policy: anp('web/no-egress', { podSelector: {}, policyTypes: ['Egress'] }), flow: flow('web/frontend', 'prod/api', 'UDP', 53), want: { direction: 'Egress', noRules: true } },
    {
      title: 'Allow by a cluster policy\'s rule',
      policy: acnp('platform', { namespaceSelector: { matchLabels: { team: 'pay' } }, podSelector: api, ingress: [{ from: [fromWeb] }] }),
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      want: { direction: 'Ingress', allowedBy: 0, noRules: false },
    },
  ])('$title', ({ policy, flow: f, want }) => {
    const verdicts = evaluateFlow(buildState({ namespaces, pods, policies: [policy] }), f).verdicts;
    expect(verdicts).toHaveLength(1);
    const v = verdicts[0];
    if (v === undefined) throw new Error('no verdict');
    expect(reasonRules(v.reason)).toEqual(want);
    // The engine's own answer for an Allow, which the broker does not store (only the reason).
    expect(reasonRules(v.reason).allowedBy).toBe(v.rule);
  });

  it('names nothing in a sentence the engine did not write', () => {
    expect(reasonRules('allowed by someone: ingress rule 3 allows it')).toEqual({ direction: undefined, noRules: false });
  });
});
