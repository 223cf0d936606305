/**
 * The hand-written response encoder writes byte for byte what `JSON.stringify` writes of the
 * answers (contracts/evaluate-answer.ts), in both directions, with and without the enforcement
 * prediction: over the evaluations a model really returns (pods, unowned addresses, external addresses, a pod talking
 * to itself, Service backends merged, `only` restricted) and over made-up ones with strings that
 * need escaping, non-ASCII text, and refs without uid or generation.
 */
import { describe, expect, it } from 'vitest';
import { ClusterIndex } from '../cluster/cluster-index.js';
import type { FlowEvaluation } from '../cluster/engine.js';
import { createIndexedModel, indexOptions } from '../cluster/indexed-model.js';
import type { EvaluateItem, EvaluatedFlow } from '../cluster/model-types.js';
import { namespaceObject, podObject, policyObject, serviceObject, sliceObject } from '../testing/raw-objects.js';
import { answerOf } from '../../../contracts/evaluate-answer.js';
import { encodeAnswer, resultsBody, resultsJson } from './evaluation-json.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function modelAndFlows(): { model: ReturnType<typeof createIndexedModel>; flows: EvaluateItem['flow'][] } {
  const index = new ClusterIndex(indexOptions({ now: () => T0 + 60_000 }));
  index.applyNamespace(namespaceObject('prod', { team: 'pay' }));
  index.applyNamespace(namespaceObject('web'));
  index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5', 'fd00::5'], created: iso(T0 - 60_000) }));
  index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: [{ name: 'pg', containerPort: 5432 }], created: iso(T0 - 60_000) }));
  index.applyPod(podObject('prod', 'db-1', { labels: { app: 'db' }, ips: ['10.0.1.2'], ports: [{ name: 'pg', containerPort: 5432 }], created: iso(T0 - 60_000) }));
  index.applyPod(podObject('web', 'gone', { labels: { app: 'web' }, ips: ['10.0.0.9'], created: iso(T0 - 60_000) }));
  index.removePod(podObject('web', 'gone'));
  index.applyPolicy('AuditNetworkPolicy', policyObject('AuditNetworkPolicy', 'prod', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'pg' }] }] }, { generation: 4, uid: 'uid-db' }));
  // In force before the flows (T0), though the model learnt of it after them.
  index.applyPolicy('NetworkPolicy', policyObject('NetworkPolicy', 'web', 'egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.1.2/32'] } }] }] }, { created: iso(T0 - 60_000) }));
  index.applyPolicy('AuditClusterNetworkPolicy', policyObject('AuditClusterNetworkPolicy', '', 'all-ingress', { namespaceSelector: {}, podSelector: {}, policyTypes: ['Ingress'] }));
  index.applyService(serviceObject('prod', 'db', ['10.96.0.10'], [{ name: 'sql', port: 80, targetPort: 'pg' }]));
  index.applyEndpointSlice(sliceObject('prod', 'db-abc', 'db', { endpoints: [{ ip: '10.0.1.1', pod: 'db-0' }, { ip: '10.0.1.2', pod: 'db-1' }], ports: [{ name: 'sql', port: 5432 }] }));
  const model = createIndexedModel({ index });
  const flows: EvaluateItem['flow'][] = [
    { src: { ip: '10.0.0.5' }, dst: { ip: '10.0.1.1' }, protocol: 'TCP', port: 5432 },
    { src: { ip: '10.0.0.5' }, dst: { ip: '10.0.1.2' }, protocol: 'UDP', port: 53 },
    { src: { ip: '10.0.0.5' }, dst: { ip: '10.96.0.10' }, protocol: 'TCP', port: 80 },
    { src: { ip: '10.0.0.5' }, dst: { ip: '10.96.0.10', namespace: 'prod', pod: 'db-1' }, protocol: 'TCP', port: 80 },
    { src: { ip: '10.0.0.9' }, dst: { ip: '10.0.1.1' }, protocol: 'TCP', port: 5432 },
    { src: { ip: '203.0.113.7' }, dst: { ip: '10.0.1.1' }, protocol: 'SCTP', port: 5432 },
    { src: { ip: '10.0.0.5' }, dst: { ip: '10.0.0.5' }, protocol: 'TCP', port: 8080 },
    { src: { ip: 'fd00::5' }, dst: { ip: '2001:db8::1' }, protocol: 'TCP', port: 443 },
    { src: { namespace: 'prod', pod: 'nobody' }, dst: { ip: '10.0.1.1' }, protocol: 'TCP', port: 5432 },
  ];
  return { model, flows };
}

function modelResults(): { results: EvaluatedFlow[]; restricted: EvaluatedFlow[] } {
  const { model, flows } = modelAndFlows();
  const items = flows.flatMap((flow, i): EvaluateItem[] => {
    const id = [0, 9, 10, 99, 100, 12_345, 2 ** 40, Number.MAX_SAFE_INTEGER, 7][i] ?? i;
    return [{ id, observedAt: iso(T0), count: 1, direction: 'Ingress', flow }, { id, observedAt: iso(T0), count: 1, direction: 'Egress', flow }];
  });
  const all = model.evaluate(items);
  const only = model.evaluate(items, { uid: 'uid-db', generation: 4 });
  if (all.status !== 'ok' || only.status !== 'ok') throw new Error('not ok');
  return { results: all.results, restricted: only.results };
}

const ref = { kind: 'AuditNetworkPolicy' as const, namespace: 'ns', name: 'p' };
const made: FlowEvaluation[] = [
  { src: null, dst: null, verdicts: [], effective: { ingress: 'NotSelected', egress: 'NotSelected', allowed: true }, enforced: { ingress: 'Deny', egress: 'Allow', allowed: false }, notes: [] },
  {
    src: { namespace: 'a', pod: 'b' },
    dst: null,
    verdicts: [
      { policy: 'ns/p', kind: 'AuditNetworkPolicy', direction: 'Egress', verdict: 'Allow', reason: 'quote " backslash \\ tab \t newline \n nul \u0000 del \u007f', ref, rule: 0 },
      { policy: 'ns/p', kind: 'AuditNetworkPolicy', direction: 'Ingress', verdict: 'WouldDeny', reason: 'non-ASCII: é ü 名前 😀 \u2028 lone \ud800 and \udc00', ref: { ...ref, uid: 'u"1', generation: 12 } },
    ],
    effective: { ingress: 'Deny', egress: 'Allow', allowed: false },
    enforced: { ingress: 'Allow', egress: 'NotSelected', allowed: true },
    notes: ['one', 'two "quoted"', 'Ω'],
  },
  {
    src: { namespace: 'a', pod: 'b' },
    dst: { namespace: 'c', pod: 'd' },
    verdicts: [
      { policy: 'c/np', kind: 'NetworkPolicy', direction: 'Ingress', verdict: 'WouldDeny', reason: 'denied', ref: { kind: 'NetworkPolicy', namespace: 'c', name: 'np', uid: 'u2', generation: 1 } },
      { policy: 'c/np2', kind: 'NetworkPolicy', direction: 'Ingress', verdict: 'WouldDeny', reason: 'denied', ref: { kind: 'NetworkPolicy', namespace: 'c', name: 'np2' } },
    ],
    effective: { ingress: 'Deny', egress: 'NotSelected', allowed: false },
    enforced: { ingress: 'Deny', egress: 'NotSelected', allowed: false },
    notes: [],
  },
];

const answerJson = (r: EvaluatedFlow, withEnforcement: boolean): string => JSON.stringify({ id: r.id, ...answerOf(r.evaluation, r.direction, withEnforcement) });

describe('evaluation JSON', () => {
  it('writes what JSON.stringify writes of the answer, for every evaluation the model returns and made-up ones', () => {
    const { results, restricted } = modelResults();
    const evaluations = [...results, ...restricted].map((r) => r.evaluation);
    expect(evaluations.some((e) => e.verdicts.some((v) => v.kind === 'NetworkPolicy'))).toBe(true);
    const all = [...evaluations, ...made];
    let predictions = 0;
    for (const e of all)
      for (const direction of ['Egress', 'Ingress'] as const)
        for (const withEnforcement of [true, false]) {
          const r = { id: 1, direction, evaluation: e };
          expect(`{"id":1${encodeAnswer(e, direction, withEnforcement)}`).toBe(answerJson(r, withEnforcement));
          if (answerOf(e, direction, withEnforcement).enforcement) predictions++;
        }
    expect(predictions).toBeGreaterThan(0);
  });

  it('builds the response body as JSON.stringify({ results }) of the answers would, as UTF-8 bytes', () => {
    const { results, restricted } = modelResults();
    const withMade = [...results, ...made.map((evaluation, i) => ({ id: 1000 + i, direction: 'Ingress' as const, evaluation }))];
    for (const list of [results, restricted, withMade, [], results.slice(0, 1)]) {
      for (const withEnforcement of [true, false]) {
        const expected = `{"results":[${list.map((r) => answerJson(r, withEnforcement)).join(',')}]}`;
        expect(resultsBody(list, withEnforcement).equals(Buffer.from(expected))).toBe(true);
        expect(resultsJson(list, withEnforcement)).toBe(expected);
        // Twice: the second time from the per-evaluation memo.
        expect(resultsJson(list, withEnforcement)).toBe(expected);
      }
    }
  });

  it('answers a flow seen once (judged for its observed direction, not kept) as it answers one kept', () => {
    for (const direction of ['Ingress', 'Egress'] as const) {
      for (const only of [undefined, { uid: 'uid-db', generation: 4 }]) {
        const { model, flows } = modelAndFlows();
        const items = flows.map((flow, id): EvaluateItem => ({ id, observedAt: iso(T0), count: 1, direction, flow }));
        // First sighting: not kept; second: kept, judged anew; third: from the memo.
        const bodies = [0, 1, 2].map(() => {
          const out = model.evaluate(items, only);
          if (out.status !== 'ok') throw new Error(out.status);
          return resultsJson(out.results, only === undefined);
        });
        expect(bodies[1]).toBe(bodies[0]);
        expect(bodies[2]).toBe(bodies[0]);
      }
    }
  });

  it('answers a repeated flow from its judgement until the cluster changes, then anew', () => {
    const index = new ClusterIndex(indexOptions({ now: () => T0 }));
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 60_000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: [{ name: 'pg', containerPort: 5432 }], created: iso(T0 - 60_000) }));
    index.applyPolicy('AuditNetworkPolicy', policyObject('AuditNetworkPolicy', 'prod', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }] }] }));
    const model = createIndexedModel({ index });
    const item: EvaluateItem = { id: 3, observedAt: iso(T0), count: 1, direction: 'Ingress', flow: { src: { ip: '10.0.0.5' }, dst: { ip: '10.0.1.1' }, protocol: 'TCP', port: 5432 } };
    const answer = (): { body: string; expected: string } => {
      const out = model.evaluate([item]);
      if (out.status !== 'ok') throw new Error(out.status);
      return { body: resultsJson(out.results), expected: `{"results":[${out.results.map((r) => answerJson(r, true)).join(',')}]}` };
    };
    const first = answer();
    expect(first.body).toBe(first.expected);
    expect(first.body).toContain('"verdict":"Allow"');
    expect(answer().body).toBe(first.body);
    index.applyPod(podObject('web', 'api', { labels: { app: 'web' }, ips: ['10.0.0.5'], created: iso(T0 - 60_000) }));
    const second = answer();
    expect(second.body).toBe(second.expected);
    expect(second.body).toContain('"verdict":"WouldDeny"');
  });
});
