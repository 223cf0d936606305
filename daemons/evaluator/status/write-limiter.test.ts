/**
 * The global status-write budget (token bucket) on an injected clock: a burst of at most
 * `perSecond`, then exactly `perSecond` writes per second of elapsed time, never more, however
 * often it is asked and however long it was idle.
 */
import { describe, expect, it } from 'vitest';
import { createWriteLimiter } from './write-limiter.js';

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** Asks `n` times at the current instant; returns how many were granted. */
const takeMany = (l: { tryTake(): boolean }, n: number): number => Array.from({ length: n }, () => l.tryTake()).filter(Boolean).length;

describe('createWriteLimiter', () => {
  it('grants a burst of perSecond, then nothing until time passes', () => {
    const c = clock();
    const l = createWriteLimiter(20, c.now);
    expect(takeMany(l, 100)).toBe(20);
    expect(l.tryTake()).toBe(false);
  });

  it('refills continuously at perSecond: one token every 1000/perSecond ms, not before', () => {
    const c = clock();
    const l = createWriteLimiter(20, c.now);
    takeMany(l, 20);
    c.advance(49);
    expect(l.tryTake()).toBe(false);
    c.advance(1);
    expect(l.tryTake()).toBe(true);
    expect(l.tryTake()).toBe(false);
    c.advance(500);
    expect(takeMany(l, 100)).toBe(10);
  });

  it('never lets more than perSecond * seconds + burst through over a long run of eager callers', () => {
    const c = clock();
    const perSecond = 5;
    const l = createWriteLimiter(perSecond, c.now);
    let granted = 0;
    // 60 s in 10 ms steps, 50 attempts at each step.
    for (let step = 0; step < 6000; step++) {
      granted += takeMany(l, 50);
      c.advance(10);
    }
    expect(granted).toBeLessThanOrEqual(perSecond * 60 + perSecond);
    expect(granted).toBeGreaterThanOrEqual(perSecond * 60 - 1);
  });

  it('does not bank more than one second of budget while idle', () => {
    const c = clock();
    const l = createWriteLimiter(3, c.now);
    takeMany(l, 3);
    c.advance(3_600_000);
    expect(takeMany(l, 100)).toBe(3);
  });

  it('a clock that goes backwards (or stands still) grants nothing new', () => {
    const c = clock();
    const l = createWriteLimiter(2, c.now);
    takeMany(l, 2);
    c.advance(-10_000);
    expect(l.tryTake()).toBe(false);
    c.advance(0);
    expect(l.tryTake()).toBe(false);
  });
});
