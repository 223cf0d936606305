/** The evaluator's answer is checked where the broker reads it, member by member. */
import { describe, expect, it } from 'vitest';
import { parseEvaluateResponse } from './evaluate-response.js';

const ref = { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'a', uid: 'u', generation: 2 };
const np = { kind: 'NetworkPolicy', namespace: 'prod', name: 'deny', uid: 'n', generation: 1 };
const verdict = { ref, verdict: 'Allow', reason: 'r' };
const result = (over: object = {}, v: object = {}): object => ({ id: 1, src: null, dst: { namespace: 'prod', pod: 'db' }, verdicts: [{ ...verdict, ...v }], ...over });

describe('parseEvaluateResponse', () => {
  it('maps results by id and ignores members it does not know', () => {
    const r = parseEvaluateResponse({ results: [result({ extra: true }), result({ id: 2, enforcement: { predicted: 'Deny', policies: [np] } })] });
    expect(r.ok && [...r.results.keys()]).toEqual([1, 2]);
    expect(r.ok && r.results.get(2)?.enforcement).toEqual({ predicted: 'Deny', policies: [np] });
    expect(r.ok && r.results.get(1)?.dst).toEqual({ namespace: 'prod', pod: 'db' });
  });

  it.each([
    { title: 'no results', body: {}, problem: 'results must be an array' },
    { title: 'a body that is an array', body: [], problem: 'results must be an array' },
    { title: 'a fractional id', body: { results: [result({ id: 1.5 })] }, problem: 'results[0]: result.id' },
    { title: 'a missing src', body: { results: [result({ src: undefined })] }, problem: 'src must be null' },
    { title: 'a dst without its pod', body: { results: [result({ dst: { namespace: 'prod' } })] }, problem: 'dst must be null' },
    { title: 'verdicts not an array', body: { results: [result({ verdicts: 'x' })] }, problem: 'verdicts must be an array' },
    { title: 'a bad verdict', body: { results: [result({}, { verdict: 'Deny' })] }, problem: 'verdict.verdict' },
    { title: 'a missing reason', body: { results: [result({}, { reason: undefined })] }, problem: 'verdict.reason' },
    { title: 'a NetworkPolicy among the audit verdicts', body: { results: [result({}, { ref: np })] }, problem: 'ref.kind' },
    { title: 'an unknown kind', body: { results: [result({}, { ref: { ...ref, kind: 'Foo' } })] }, problem: 'ref.kind' },
    { title: 'an empty name', body: { results: [result({}, { ref: { ...ref, name: '' } })] }, problem: 'ref.namespace and ref.name' },
    { title: 'a negative generation', body: { results: [result({}, { ref: { ...ref, generation: -1 } })] }, problem: 'ref.generation' },
    { title: 'a numeric uid', body: { results: [result({}, { ref: { ...ref, uid: 7 } })] }, problem: 'ref.uid' },
    { title: 'a prediction that is not Allow or Deny', body: { results: [result({ enforcement: { predicted: 'WouldDeny', policies: [] } })] }, problem: 'enforcement.predicted' },
    { title: 'predicting policies that are not a list', body: { results: [result({ enforcement: { predicted: 'Deny', policies: {} } })] }, problem: 'enforcement.policies must be an array' },
    { title: 'a predicting policy without a name', body: { results: [result({ enforcement: { predicted: 'Deny', policies: [{ ...np, name: '' }] } })] }, problem: 'enforcement.policies: ref.namespace' },
  ])('refuses $title', ({ body, problem }) => {
    const r = parseEvaluateResponse(body);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });
});
