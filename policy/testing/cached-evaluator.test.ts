/**
 * CachedEvaluator: a bounded memo of evaluations. Answers are the engine's; what is tested here
 * is what it keeps: a repeated flow gets the same (shared) answer, recently asked flows survive
 * a full memo, it never holds more than its capacity, and a state change empties it.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFlow } from '../evaluate.js';
import { CachedEvaluator } from './cached-evaluator.js';
import { anp, buildState, flow, podInfo } from './testkit.js';

function setup(capacity: number): { cache: CachedEvaluator; state: ReturnType<typeof buildState> } {
  const state = buildState({
    namespaces: { prod: {} },
    pods: [podInfo('prod/api', { labels: { app: 'api' }, ips: ['10.0.0.1'] }), podInfo('prod/db', { labels: { app: 'db' }, ips: ['10.0.0.2'] })],
    policies: [anp('prod/db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }] })],
  });
  return { cache: new CachedEvaluator(state, capacity), state };
}

const port = (p: number): ReturnType<typeof flow> => flow('10.0.0.1', '10.0.0.2', 'TCP', p);

describe('CachedEvaluator', () => {
  it('answers as the engine does, and a repeated flow with the same shared object', () => {
    const { cache, state } = setup(10);
    const first = cache.evaluate(port(5432));
    expect(first).toEqual(evaluateFlow(state, port(5432)));
    expect(cache.evaluate(port(5432))).toBe(first);
    expect(cache.evaluate(port(80)).verdicts.map((v) => v.verdict)).toEqual(['WouldDeny']);
    expect([cache.hits, cache.misses]).toEqual([1, 2]);
  });

  it('keeps an address no pod owned at the flow\'s time apart from the same address looked up', () => {
    const { cache, state } = setup(10);
    const unowned = { ...port(5432), src: { kind: 'unowned', ip: '10.0.0.1' } as const };
    expect(cache.evaluate(port(5432)).verdicts.map((v) => v.verdict)).toEqual(['Allow']);
    expect(cache.evaluate(unowned)).toEqual(evaluateFlow(state, unowned));
    expect(cache.evaluate(unowned).verdicts.map((v) => v.verdict)).toEqual(['WouldDeny']);
  });

  it('never holds more than its capacity, and keeps a flow that keeps being asked for', () => {
    const { cache } = setup(10);
    const hot = cache.evaluate(port(1));
    for (let p = 2; p < 200; p++) {
      cache.evaluate(port(p));
      expect(cache.evaluate(port(1))).toBe(hot);
      expect(cache.size()).toBeLessThanOrEqual(10);
    }
    // A flow not asked for since 100 others came is gone: judged again.
    const misses = cache.misses;
    cache.evaluate(port(2));
    expect(cache.misses).toBe(misses + 1);
  });

  it('keeps the most recent answers when full', () => {
    const { cache } = setup(10);
    for (let p = 1; p <= 100; p++) cache.evaluate(port(p));
    const misses = cache.misses;
    for (let p = 96; p <= 100; p++) cache.evaluate(port(p));
    expect(cache.misses).toBe(misses);
  });

  it('forgets every answer when the state changes', () => {
    const { cache, state } = setup(10);
    const before = cache.evaluate(port(5432));
    state.upsertPod(podInfo('prod/other', { ips: ['10.0.0.3'] }));
    const after = cache.evaluate(port(5432));
    expect(after).not.toBe(before);
    expect(after).toEqual(before);
  });
});
