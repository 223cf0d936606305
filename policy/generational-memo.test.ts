import { describe, expect, it } from 'vitest';
import { GenerationalMemo } from './generational-memo.js';

describe('GenerationalMemo', () => {
  it('holds at most its capacity, dropping the older generation when the young one is half full', () => {
    const m = new GenerationalMemo<number, string>(4);
    for (let i = 0; i < 10; i++) m.set(i, `v${i}`);
    expect(m.size()).toBeLessThanOrEqual(4);
    expect([m.get(9), m.get(8), m.get(0)]).toEqual(['v9', 'v8', undefined]);
    expect([m.hits, m.misses]).toEqual([2, 1]);
  });

  it('carries a hit in the old generation into the young one, so what is still asked for survives', () => {
    const m = new GenerationalMemo<string, number>(4);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3); // a, b become old
    expect(m.get('a')).toBe(1); // carried into young: c, a
    m.set('d', 4); // young full: c, a become old, b dropped
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([1, undefined, 3]);
  });

  it('forgets everything on clear', () => {
    const m = new GenerationalMemo<string, number>(10);
    m.set('a', 1);
    m.clear();
    expect([m.get('a'), m.size()]).toEqual([undefined, 0]);
  });
});
