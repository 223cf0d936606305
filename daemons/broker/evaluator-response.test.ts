/** The evaluator's answer is checked where the broker reads it, and passed through elsewhere. */
import { describe, expect, it } from 'vitest';
import { parseEvaluateResponse } from './evaluator-response.js';

const verdict = { policy: 'prod/a', kind: 'AuditNetworkPolicy', direction: 'Egress', verdict: 'Allow', reason: 'r', ref: { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'a', uid: 'u', generation: 2 } };
const result = (over: object = {}, v: object = {}) => ({ id: 1, evaluation: { verdicts: [{ ...verdict, ...v }], extra: { kept: true } }, ...over });

describe('parseEvaluateResponse', () => {
  it('maps results by id and keeps fields it does not check', () => {
    const r = parseEvaluateResponse({ results: [result(), result({ id: 2 })] });
    expect(r.ok && [...r.results.keys()]).toEqual([1, 2]);
    expect(r.ok && r.results.get(1)).toMatchObject({ extra: { kept: true } });
  });

  it.each([
    { title: 'no results', body: {}, problem: 'results must be an array' },
    { title: 'a body that is an array', body: [], problem: 'results must be an array' },
    { title: 'a fractional id', body: { results: [result({ id: 1.5 })] }, problem: 'results[0]: result.id' },
    { title: 'verdicts not an array', body: { results: [{ id: 1, evaluation: { verdicts: 'x' } }] }, problem: 'verdicts must be an array' },
    { title: 'a bad direction', body: { results: [result({}, { direction: 'Both' })] }, problem: 'verdict.direction' },
    { title: 'a bad verdict', body: { results: [result({}, { verdict: 'Deny' })] }, problem: 'verdict.verdict' },
    { title: 'a missing reason', body: { results: [result({}, { reason: undefined })] }, problem: 'verdict.reason' },
    { title: 'an unknown kind', body: { results: [result({}, { ref: { ...verdict.ref, kind: 'Foo' } })] }, problem: 'ref.kind' },
    { title: 'an empty name', body: { results: [result({}, { ref: { ...verdict.ref, name: '' } })] }, problem: 'ref.namespace and ref.name' },
    { title: 'a negative generation', body: { results: [result({}, { ref: { ...verdict.ref, generation: -1 } })] }, problem: 'ref.generation' },
    { title: 'a numeric uid', body: { results: [result({}, { ref: { ...verdict.ref, uid: 7 } })] }, problem: 'ref.uid' },
  ])('refuses $title', ({ body, problem }) => {
    const r = parseEvaluateResponse(body);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });
});
