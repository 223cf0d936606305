import { describe, expect, it } from 'vitest';
import type { Predicted } from '../../../contracts/enforcement.js';
import type { EnforcementCheck } from '../verify/enforcement.js';
import { checkChanges, checkSignature, sameSignature } from './enforcement-checks.js';

const check = (name: string, predicted: Predicted, generation = 4, uid = `u-${name}`): EnforcementCheck => ({ policy: { uid, namespace: 'prod', name, generation }, predicted });
const rows = (previous: string, checks: EnforcementCheck[]): [string, string][] => checkChanges(previous, checks).rows.map((r) => [r.policy.name, r.predicted]);

describe('checkChanges: what a judgement changes of a flow row\'s checks', () => {
  const deny = [check('deny-all', 'Deny')];
  const both = [check('a', 'Deny'), check('b', 'Deny')];
  it.each([
    { title: 'first judgement, no checks', previous: [], now: [], rows: [], changed: false },
    { title: 'first judgement: a start row', previous: [], now: deny, rows: [['deny-all', 'Deny']], changed: true },
    { title: 'the same prediction again: nothing', previous: deny, now: deny, rows: [], changed: false },
    { title: 'another prediction: a start row', previous: deny, now: [check('deny-all', 'Allow')], rows: [['deny-all', 'Allow']], changed: true },
    { title: 'a new generation: a start row', previous: deny, now: [check('deny-all', 'Deny', 5)], rows: [['deny-all', 'Deny']], changed: true },
    { title: 'no longer decided: an end row', previous: deny, now: [], rows: [['deny-all', '']], changed: true },
    { title: 'one of two gone: an end row for it', previous: both, now: [check('a', 'Deny')], rows: [['b', '']], changed: true },
    { title: 'one more policy: a start row for it', previous: [check('a', 'Deny')], now: both, rows: [['b', 'Deny']], changed: true },
    { title: 'the same policies in another order: no row, the new order kept', previous: both, now: [...both].reverse(), rows: [], changed: true },
    { title: 'a policy of the same name with another uid', previous: deny, now: [check('deny-all', 'Deny', 4, 'u-other')], rows: [['deny-all', 'Deny'], ['deny-all', '']], changed: true },
  ])('$title', ({ previous, now, rows: want, changed }) => {
    const before = checkSignature(previous);
    expect(rows(before, now)).toEqual(want);
    expect(checkChanges(before, now).signature).toBe(changed ? checkSignature(now) : undefined);
  });
});

describe('sameSignature: checkSignature(checks) === signature, without building it', () => {
  const cases: EnforcementCheck[][] = [
    [],
    [check('a', 'Deny')],
    [check('a', 'Allow')],
    [check('a', 'Deny', 14)],
    [check('a', 'Deny', 1)],
    [check('ab', 'Deny')],
    [check('a', 'Deny', 4, '')],
    [check('a', 'Deny'), check('b', 'Deny')],
    [check('b', 'Deny'), check('a', 'Deny')],
    [check('a', 'Deny'), check('b', 'Deny'), check('c', 'Deny')],
    [{ policy: { uid: 'u-a', namespace: 'prodx', name: 'a', generation: 4 }, predicted: 'Deny' }],
  ];
  const signatures = [...cases.map(checkSignature), 'garbage', `${checkSignature(cases[1]!)}\u001e`];
  it.each(cases.map((c, i) => ({ i, c })))('case $i against every signature', ({ c }) => {
    for (const s of signatures) expect(sameSignature(s, c)).toBe(checkSignature(c) === s);
  });
});
