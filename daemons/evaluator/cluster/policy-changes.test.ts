/**
 * verify judges an observation against the NetworkPolicies in force when it was made: the enforced
 * prediction of a live answer (what the broker keeps as verify's checks) is left out when the
 * NetworkPolicies of the observed end's namespace changed after the observation, and kept otherwise.
 * The answers are read as the broker gets them (the response encoder's JSON), from the real engine.
 */
import { describe, expect, it } from 'vitest';
import { answerOf } from '../../../contracts/evaluate-answer.js';
import type { EvaluateResult } from '../../../contracts/evaluate.js';
import { resultsJson } from '../http/evaluation-json.js';
import { namespaceObject, podObject, policyObject, serviceObject, sliceObject, type PolicyMeta } from '../testing/raw-objects.js';
import { ClusterIndex } from './cluster-index.js';
import type { ClusterNetworkPolicySpec } from './engine.js';
import { createIndexedModel, indexOptions } from './indexed-model.js';
import type { EvaluateItem } from './model-types.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const LONG_AGO = iso(T0 - 3_600_000);

const pg = [{ name: 'pg', containerPort: 5432, protocol: 'UDP' }];
/** db admits app=api on 5432/UDP only. */
const DB_INGRESS: ClusterNetworkPolicySpec = {
  podSelector: { matchLabels: { app: 'db' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'UDP', port: 5432 }] }],
};
const DENY_INGRESS: ClusterNetworkPolicySpec = { podSelector: {}, policyTypes: ['Ingress'] };
const DENY_EGRESS: ClusterNetworkPolicySpec = { podSelector: {}, policyTypes: ['Egress'] };

type Step =
  | { at: number; apply: { namespace: string; name: string; spec: ClusterNetworkPolicySpec; meta?: PolicyMeta } }
  | { at: number; remove: { namespace: string; name: string } };

interface Case {
  title: string;
  /** What the evaluator learns, in order, each at its clock time. */
  steps: Step[];
  /** The observation: when, which end saw it, which flow. */
  observedAt: number;
  direction?: 'Ingress' | 'Egress';
  flow?: 'batch->db' | 'api->db' | 'batch->service';
  /** The enforced prediction the broker gets (undefined: none, so no check counts the observation). */
  predicted: 'Allow' | 'Deny' | undefined;
}

const apply = (at: number, name: string, spec: ClusterNetworkPolicySpec, meta?: PolicyMeta, namespace = 'prod'): Step => ({ at, apply: { namespace, name, spec, ...(meta ? { meta } : {}) } });

const CASES: Case[] = [
  // The issue: a UDP reply the agent shipped 10 s late, judged once a policy created after it was in force.
  { title: 'a policy the evaluator learnt of after the observation', steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS)], observedAt: T0, predicted: undefined },
  { title: 'an observation after the evaluator learnt of the policy', steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS)], observedAt: T0 + 6_000, predicted: 'Deny' },
  { title: 'a policy written long before, learnt of after the observation (a restarted evaluator lists it)', steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS, { created: LONG_AGO })], observedAt: T0, predicted: 'Deny' },
  { title: 'a policy created in the second of the observation (metadata times are whole seconds)', steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS, { created: iso(T0) })], observedAt: T0 + 500, predicted: undefined },
  { title: 'an observation after the second the policy was created in', steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS, { created: iso(T0) })], observedAt: T0 + 1_000, predicted: 'Deny' },
  {
    title: 'a new generation written after the observation',
    steps: [apply(T0 - 60_000, 'db-ingress', DENY_INGRESS, { created: LONG_AGO }), apply(T0 + 5_000, 'db-ingress', DB_INGRESS, { generation: 2, created: LONG_AGO, written: [LONG_AGO, iso(T0 + 2_000)] })],
    observedAt: T0 + 1_000, predicted: undefined,
  },
  {
    title: 'an observation after the second the new generation was written in, before the evaluator learnt of it',
    steps: [apply(T0 - 60_000, 'db-ingress', DENY_INGRESS, { created: LONG_AGO }), apply(T0 + 5_000, 'db-ingress', DB_INGRESS, { generation: 2, created: LONG_AGO, written: [LONG_AGO, iso(T0 + 2_000)] })],
    observedAt: T0 + 3_000, predicted: 'Deny',
  },
  {
    title: 'a new generation that says nothing of when it was written counts from when the evaluator learnt of it',
    steps: [apply(T0 - 60_000, 'db-ingress', DENY_INGRESS, { created: LONG_AGO }), apply(T0 + 5_000, 'db-ingress', DB_INGRESS, { generation: 2, created: LONG_AGO })],
    observedAt: T0 + 3_000, predicted: undefined,
  },
  {
    title: 'the same generation again after the observation (a status or label write) is no change',
    steps: [apply(T0 - 60_000, 'db-ingress', DB_INGRESS, { created: LONG_AGO }), apply(T0 + 5_000, 'db-ingress', DB_INGRESS, { created: LONG_AGO, written: [iso(T0 + 4_000)] })],
    observedAt: T0, predicted: 'Deny',
  },
  // api was allowed while db-ingress was in force; once it went, deny-all alone denies it.
  {
    title: 'a policy deleted after the observation, another still selecting the end',
    steps: [apply(T0 - 60_000, 'db-ingress', DB_INGRESS, { created: LONG_AGO }), apply(T0 - 60_000, 'deny-all', DENY_INGRESS, { created: LONG_AGO }), { at: T0 + 5_000, remove: { namespace: 'prod', name: 'db-ingress' } }],
    flow: 'api->db', observedAt: T0, predicted: undefined,
  },
  {
    title: 'an observation after the deletion',
    steps: [apply(T0 - 60_000, 'db-ingress', DB_INGRESS, { created: LONG_AGO }), apply(T0 - 60_000, 'deny-all', DENY_INGRESS, { created: LONG_AGO }), { at: T0 + 5_000, remove: { namespace: 'prod', name: 'db-ingress' } }],
    flow: 'api->db', observedAt: T0 + 6_000, predicted: 'Deny',
  },
  {
    title: 'a change in the other end\'s namespace does not touch the observed end\'s policies',
    steps: [apply(T0 - 60_000, 'db-ingress', DB_INGRESS, { created: LONG_AGO }), apply(T0 + 5_000, 'deny-egress', DENY_EGRESS, undefined, 'web')],
    observedAt: T0, predicted: 'Deny',
  },
  {
    title: 'seen leaving the source: the source\'s namespace changed after the observation',
    steps: [apply(T0 + 5_000, 'deny-egress', DENY_EGRESS, undefined, 'web')],
    direction: 'Egress', observedAt: T0, predicted: undefined,
  },
  {
    title: 'seen leaving the source after the change',
    steps: [apply(T0 + 5_000, 'deny-egress', DENY_EGRESS, undefined, 'web')],
    direction: 'Egress', observedAt: T0 + 6_000, predicted: 'Deny',
  },
  {
    title: 'an allowed flow before a policy allowing it was created',
    steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS)],
    flow: 'api->db', observedAt: T0, predicted: undefined,
  },
  // No one pod at the destination: judged against each backend, the policies that judged it name the namespace.
  { title: 'a Service with two backends, its namespace changed after the observation', steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS)], flow: 'batch->service', observedAt: T0, predicted: undefined },
  { title: 'a Service with two backends, observed after the change', steps: [apply(T0 + 5_000, 'db-ingress', DB_INGRESS)], flow: 'batch->service', observedAt: T0 + 6_000, predicted: 'Deny' },
];

const FLOWS: Record<NonNullable<Case['flow']>, EvaluateItem['flow']> = {
  'batch->db': { src: { ip: '10.0.0.6' }, dst: { ip: '10.0.1.1' }, protocol: 'UDP', port: 5432 },
  'api->db': { src: { ip: '10.0.0.5' }, dst: { ip: '10.0.1.1' }, protocol: 'UDP', port: 5432 },
  'batch->service': { src: { ip: '10.0.0.6' }, dst: { ip: '10.96.0.10' }, protocol: 'UDP', port: 80 },
};

function modelAfter(steps: Step[]): ReturnType<typeof createIndexedModel> {
  const clock = { now: T0 - 120_000 };
  const index = new ClusterIndex(indexOptions({ now: () => clock.now }));
  index.applyNamespace(namespaceObject('prod'));
  index.applyNamespace(namespaceObject('web'));
  index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: LONG_AGO }));
  index.applyPod(podObject('web', 'batch', { labels: { app: 'batch' }, ips: ['10.0.0.6'], created: LONG_AGO }));
  index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pg, created: LONG_AGO }));
  index.applyPod(podObject('prod', 'db-1', { labels: { app: 'db' }, ips: ['10.0.1.2'], ports: pg, created: LONG_AGO }));
  index.applyService(serviceObject('prod', 'db', ['10.96.0.10'], [{ name: 'sql', port: 80, protocol: 'UDP', targetPort: 'pg' }]));
  index.applyEndpointSlice(sliceObject('prod', 'db-abc', 'db', { endpoints: [{ ip: '10.0.1.1', pod: 'db-0' }, { ip: '10.0.1.2', pod: 'db-1' }], ports: [{ name: 'sql', port: 5432, protocol: 'UDP' }] }));
  for (const s of steps) {
    clock.now = s.at;
    if ('apply' in s) index.applyPolicy('NetworkPolicy', policyObject('NetworkPolicy', s.apply.namespace, s.apply.name, s.apply.spec, s.apply.meta));
    else index.removePolicy('NetworkPolicy', policyObject('NetworkPolicy', s.remove.namespace, s.remove.name, {}));
  }
  clock.now = T0 + 60_000;
  return createIndexedModel({ index });
}

function answer(c: Case): { result: EvaluateResult | undefined; reference: string } {
  const model = modelAfter(c.steps);
  const item: EvaluateItem = { id: 1, observedAt: iso(c.observedAt), count: 1, direction: c.direction ?? 'Ingress', flow: FLOWS[c.flow ?? 'batch->db'] };
  // Twice: the second sighting is memoised, and must answer alike.
  model.evaluate([item]);
  const out = model.evaluate([item]);
  if (out.status !== 'ok') throw new Error(out.status);
  const [r] = out.results;
  if (!r) throw new Error('no result');
  const body = JSON.parse(resultsJson(out.results)) as { results: EvaluateResult[] };
  return { result: body.results[0], reference: JSON.stringify({ id: 1, ...answerOf(r.evaluation, r.direction, c.predicted !== undefined) }) };
}

describe('the enforced prediction of an observation made before its NetworkPolicies changed', () => {
  it.each(CASES)('$title: $predicted', (c) => {
    const { result, reference } = answer(c);
    expect(result?.enforcement?.predicted).toBe(c.predicted);
    // The audit verdicts and the ends are answered all the same: only the prediction goes.
    expect(JSON.stringify(result)).toBe(reference);
  });

  it('holds for every observation of a batch on its own: one before the change, one after', () => {
    const model = modelAfter([apply(T0 + 5_000, 'db-ingress', DB_INGRESS)]);
    const items: EvaluateItem[] = [T0, T0 + 6_000, T0 + 4_999].map((at, id) => ({ id, observedAt: iso(at), count: 1, direction: 'Ingress', flow: FLOWS['batch->db'] }));
    const out = model.evaluate(items);
    if (out.status !== 'ok') throw new Error(out.status);
    const body = JSON.parse(resultsJson(out.results)) as { results: EvaluateResult[] };
    expect(body.results.map((r) => r.enforcement?.predicted)).toEqual([undefined, 'Deny', undefined]);
    expect(out.results.map((r) => r.withheld)).toEqual([true, false, true]);
  });

  it('leaves replays alone: they never carry a prediction, and judge their one policy whatever changed', () => {
    const model = modelAfter([apply(T0 + 5_000, 'db-ingress', DB_INGRESS)]);
    const out = model.evaluate([{ id: 1, observedAt: iso(T0), count: 1, direction: 'Ingress', flow: FLOWS['batch->db'] }], { uid: 'uid-NetworkPolicy-prod-db-ingress', generation: 1 });
    if (out.status !== 'ok') throw new Error(out.status);
    expect(out.results[0]?.withheld).toBe(false);
  });
});
