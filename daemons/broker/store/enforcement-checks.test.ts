import { describe, expect, it } from 'vitest';
import type { Predicted } from '../../../contracts/enforcement.js';
import type { EnforcementCheck } from '../verify/enforcement.js';
import { checkChanges, checksHash, type Remembered } from './enforcement-checks.js';

const check = (name: string, predicted: Predicted, generation = 4, uid = `u-${name}`): EnforcementCheck => ({ policy: { uid, namespace: 'prod', name, generation }, predicted });
/** What currentChecks reads back for a flow row last judged with `checks`. */
const remembered = (checks: readonly EnforcementCheck[]): Remembered =>
  new Map(checks.map((c) => [`${c.policy.uid}/${c.policy.namespace}/${c.policy.name}`, { policy: c.policy, predicted: c.predicted }]));
const rows = (previous: EnforcementCheck[], checks: EnforcementCheck[]): [string, string][] =>
  checkChanges(remembered(previous), checks).map((r) => [r.policy.name, r.predicted]);

describe('checkChanges: what a judgement changes of a flow row\'s checks', () => {
  const deny = [check('deny-all', 'Deny')];
  const both = [check('a', 'Deny'), check('b', 'Deny')];
  it.each([
    { title: 'first judgement, no checks', previous: [], now: [], rows: [] },
    { title: 'first judgement: a start row', previous: [], now: deny, rows: [['deny-all', 'Deny']] },
    { title: 'the same prediction again: nothing', previous: deny, now: deny, rows: [] },
    { title: 'another prediction: a start row', previous: deny, now: [check('deny-all', 'Allow')], rows: [['deny-all', 'Allow']] },
    { title: 'a new generation: a start row', previous: deny, now: [check('deny-all', 'Deny', 5)], rows: [['deny-all', 'Deny']] },
    { title: 'no longer decided: an end row', previous: deny, now: [], rows: [['deny-all', '']] },
    { title: 'one of two gone: an end row for it', previous: both, now: [check('a', 'Deny')], rows: [['b', '']] },
    { title: 'one more policy: a start row for it', previous: [check('a', 'Deny')], now: both, rows: [['b', 'Deny']] },
    { title: 'the same policies in another order: no row', previous: both, now: [...both].reverse(), rows: [] },
    { title: 'a policy of the same name with another uid', previous: deny, now: [check('deny-all', 'Deny', 4, 'u-other')], rows: [['deny-all', 'Deny'], ['deny-all', '']] },
  ])('$title', ({ previous, now, rows: want }) => {
    expect(rows(previous, now)).toEqual(want);
  });
});

describe('checksHash: tells any two sets of checks apart that differ in a field, an order or a boundary', () => {
  const cases: EnforcementCheck[][] = [
    [],
    [check('a', 'Deny')],
    [check('a', 'Allow')],
    [check('a', 'Deny', 14)],
    [check('a', 'Deny', 1)],
    [check('ab', 'Deny')],
    [check('a', 'Deny', 4, '')],
    [check('a', 'Deny', 4, 'u-b')],
    [check('a', 'Deny'), check('b', 'Deny')],
    [check('b', 'Deny'), check('a', 'Deny')],
    [check('a', 'Deny'), check('b', 'Deny'), check('c', 'Deny')],
    [{ policy: { uid: 'u-a', namespace: 'prodx', name: 'a', generation: 4 }, predicted: 'Deny' }],
    // The same characters split across fields differently.
    [{ policy: { uid: 'u-a', namespace: 'pro', name: 'da', generation: 4 }, predicted: 'Deny' }],
    [{ policy: { uid: 'u-a', namespace: 'prod', name: 'a', generation: 41 }, predicted: 'Deny' }],
  ];
  it('is 0 exactly for no checks, a safe integer otherwise, and the same for the same checks', () => {
    for (const c of cases) {
      const h = checksHash(c);
      expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
      expect(h === 0).toBe(c.length === 0);
      expect(checksHash(c.map((x) => ({ policy: { ...x.policy }, predicted: x.predicted })))).toBe(h);
    }
  });
  it('differs between every two cases', () => {
    expect(new Set(cases.map(checksHash)).size).toBe(cases.length);
  });
});
