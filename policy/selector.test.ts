/**
 * Contract of selector.ts: a raw label selector compiles to "all" or to ANDed requirements
 * (matchLabels as single-value `In`s), each operator matches as upstream's labels.Selector
 * does (NotIn and DoesNotExist match a missing key), invalid selectors are reported with the
 * exact path and message the API server would point at, describeSelector renders kubectl's
 * text, and labels are Maps so keys such as `constructor` never match through a prototype.
 */
import { describe, expect, it } from 'vitest';
import { ProblemList, type PolicyProblem } from './errors.js';
import type { Requirement, Selector } from './selector.js';
import { compileSelector, describeSelector, isValidLabelKey, isValidLabelValue, matchesSelector, toLabelMap } from './selector.js';

function compile(raw: unknown): { selector: Selector; problems: PolicyProblem[] } {
  const problems = new ProblemList();
  const selector = compileSelector(raw, 'sel', problems);
  return { selector, problems: problems.items };
}

/** Compiles a selector that must be valid, then matches it against plain labels. */
function matches(raw: unknown, labels: Record<string, string>): boolean {
  const { selector, problems } = compile(raw);
  expect(problems).toEqual([]);
  return matchesSelector(selector, toLabelMap(labels));
}

const expr = (key: string, operator: string, values?: string[]): { matchExpressions: unknown[] } => ({
  matchExpressions: [values === undefined ? { key, operator } : { key, operator, values }],
});

describe('matching', () => {
  it.each<{ title: string; raw: unknown; labels: Record<string, string>; expected: boolean }>([
    { title: 'matchLabels: equal value matches', raw: { matchLabels: { app: 'web' } }, labels: { app: 'web', tier: 'fe' }, expected: true },
    { title: 'matchLabels: other value does not match', raw: { matchLabels: { app: 'web' } }, labels: { app: 'db' }, expected: false },
    { title: 'matchLabels: missing key does not match', raw: { matchLabels: { app: 'web' } }, labels: { tier: 'fe' }, expected: false },
    { title: 'matchLabels: keys are case-sensitive', raw: { matchLabels: { app: 'web' } }, labels: { App: 'web' }, expected: false },
    { title: 'matchLabels: values are case-sensitive', raw: { matchLabels: { app: 'web' } }, labels: { app: 'Web' }, expected: false },
    { title: 'matchLabels: all pairs must hold (one missing)', raw: { matchLabels: { app: 'web', tier: 'fe' } }, labels: { app: 'web' }, expected: false },
    { title: 'matchLabels: all pairs hold', raw: { matchLabels: { app: 'web', tier: 'fe' } }, labels: { app: 'web', tier: 'fe' }, expected: true },
    // An empty value is a real value: it matches "" and not a missing key.
    { title: 'matchLabels: empty value matches an empty label', raw: { matchLabels: { canary: '' } }, labels: { canary: '' }, expected: true },
    { title: 'matchLabels: empty value does not match a missing key', raw: { matchLabels: { canary: '' } }, labels: {}, expected: false },
    { title: 'In: value in the set matches', raw: expr('tier', 'In', ['fe', 'be']), labels: { tier: 'be' }, expected: true },
    { title: 'In: value outside the set does not match', raw: expr('tier', 'In', ['fe', 'be']), labels: { tier: 'db' }, expected: false },
    { title: 'In: missing key does not match', raw: expr('tier', 'In', ['fe']), labels: {}, expected: false },
    { title: 'NotIn: value outside the set matches', raw: expr('env', 'NotIn', ['prod']), labels: { env: 'dev' }, expected: true },
    { title: 'NotIn: value in the set does not match', raw: expr('env', 'NotIn', ['prod', 'stage']), labels: { env: 'stage' }, expected: false },
    // Upstream: NotIn is satisfied by a missing key.
    { title: 'NotIn: missing key matches', raw: expr('env', 'NotIn', ['prod']), labels: { app: 'web' }, expected: true },
    { title: 'Exists: present key matches', raw: expr('legacy', 'Exists'), labels: { legacy: 'yes' }, expected: true },
    { title: 'Exists: present key with an empty value matches', raw: expr('legacy', 'Exists'), labels: { legacy: '' }, expected: true },
    { title: 'Exists: missing key does not match', raw: expr('legacy', 'Exists'), labels: { app: 'web' }, expected: false },
    { title: 'DoesNotExist: missing key matches', raw: expr('legacy', 'DoesNotExist'), labels: { app: 'web' }, expected: true },
    { title: 'DoesNotExist: present key does not match', raw: expr('legacy', 'DoesNotExist'), labels: { legacy: '' }, expected: false },
    {
      title: 'matchLabels AND expressions: both hold',
      raw: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      labels: { app: 'web', env: 'prod' },
      expected: true,
    },
    {
      title: 'matchLabels AND expressions: labels hold, expression fails',
      raw: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      labels: { app: 'web', env: 'dev' },
      expected: false,
    },
    {
      title: 'matchLabels AND expressions: expression holds, labels fail',
      raw: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      labels: { app: 'db', env: 'prod' },
      expected: false,
    },
    {
      title: 'several expressions are ANDed',
      raw: { matchExpressions: [{ key: 'env', operator: 'Exists' }, { key: 'legacy', operator: 'DoesNotExist' }] },
      labels: { env: 'dev', legacy: 'y' },
      expected: false,
    },
    { title: 'empty selector {} matches a pod with no labels', raw: {}, labels: {}, expected: true },
    { title: 'empty selector {} matches any labels', raw: {}, labels: { app: 'web' }, expected: true },
    { title: 'empty matchLabels and matchExpressions match all', raw: { matchLabels: {}, matchExpressions: [] }, labels: { x: 'y' }, expected: true },
    { title: 'null fields match all', raw: { matchLabels: null, matchExpressions: null }, labels: {}, expected: true },
    // Labels are Maps: keys inherited from Object.prototype must not appear to exist.
    { title: 'constructor Exists does not match empty labels', raw: expr('constructor', 'Exists'), labels: {}, expected: false },
    { title: 'constructor DoesNotExist matches empty labels', raw: expr('constructor', 'DoesNotExist'), labels: {}, expected: true },
    { title: 'toString In does not match empty labels', raw: expr('toString', 'In', ['x']), labels: {}, expected: false },
    { title: 'hasOwnProperty NotIn matches empty labels', raw: expr('hasOwnProperty', 'NotIn', ['x']), labels: {}, expected: true },
    { title: 'a real constructor label matches by value', raw: { matchLabels: { constructor: 'x' } }, labels: { constructor: 'x' }, expected: true },
    { title: 'a real constructor label with another value does not match', raw: { matchLabels: { constructor: 'x' } }, labels: { constructor: 'y' }, expected: false },
  ])('$title', ({ raw, labels, expected }) => {
    expect(matches(raw, labels)).toBe(expected);
  });
});

describe('__proto__ as a label key', () => {
  // JSON.parse makes "__proto__" an own key, as YAML and the API server would hand it over.
  const ownProto = JSON.parse('{"__proto__": "x"}') as Record<string, string>;

  it.each<{ title: string; labels: Record<string, string>; operator: Requirement['operator']; values: string[]; expected: boolean }>([
    { title: 'an own __proto__ label is kept as a key', labels: ownProto, operator: 'In', values: ['x'], expected: true },
    { title: 'Exists does not see __proto__ on empty labels', labels: {}, operator: 'Exists', values: [], expected: false },
    { title: 'DoesNotExist holds for __proto__ on empty labels', labels: {}, operator: 'DoesNotExist', values: [], expected: true },
    { title: 'In does not match __proto__ on empty labels', labels: {}, operator: 'In', values: ['[object Object]'], expected: false },
  ])('$title', ({ labels, operator, values, expected }) => {
    // Built by hand: "__proto__" is not a valid label key, so compileSelector reports it (below).
    const requirement: Requirement = { key: '__proto__', operator, values: new Set(values) };
    expect(matchesSelector({ kind: 'requirements', requirements: [requirement] }, toLabelMap(labels))).toBe(expected);
  });

  it('toLabelMap keeps exactly the own keys', () => {
    expect([...toLabelMap(ownProto).entries()]).toEqual([['__proto__', 'x']]);
    expect(toLabelMap({}).size).toBe(0);
    expect(toLabelMap(undefined).size).toBe(0);
  });

  it.each([
    { title: 'in matchLabels', raw: { matchLabels: ownProto }, path: 'sel.matchLabels.__proto__' },
    { title: 'in matchExpressions', raw: expr('__proto__', 'Exists'), path: 'sel.matchExpressions[0].key' },
  ])('__proto__ $title is rejected as a label key', ({ raw, path }) => {
    expect(compile(raw).problems).toEqual([{ severity: 'error', path, code: 'labelKey', message: '__proto__ is not a valid label key' }]);
  });
});

describe('compiled form', () => {
  it.each([
    { title: 'undefined is all', raw: undefined, expected: { kind: 'all' } },
    { title: '{} is all', raw: {}, expected: { kind: 'all' } },
    {
      title: 'matchLabels become single-value In requirements, then expressions, in order',
      raw: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a', 'b'] }] },
      expected: {
        kind: 'requirements',
        requirements: [
          { key: 'app', operator: 'In', values: new Set(['web']) },
          { key: 'env', operator: 'NotIn', values: new Set(['a', 'b']) },
        ],
      },
    },
    {
      title: 'Exists with an explicit empty values list is accepted',
      raw: { matchExpressions: [{ key: 'env', operator: 'Exists', values: [] }] },
      expected: { kind: 'requirements', requirements: [{ key: 'env', operator: 'Exists', values: new Set() }] },
    },
  ])('$title', ({ raw, expected }) => {
    const { selector, problems } = compile(raw);
    expect(problems).toEqual([]);
    expect(selector).toEqual(expected);
  });
});

describe('validation', () => {
  const long63 = 'a'.repeat(63);
  const long64 = 'a'.repeat(64);
  it.each([
    {
      title: 'unknown operator',
      raw: expr('env', 'Equals', ['x']),
      path: 'sel.matchExpressions[0].operator',
      code: 'operator',
      message: 'has unknown operator Equals: valid operators are In, NotIn, Exists, DoesNotExist',
    },
    {
      title: 'operators are case-sensitive',
      raw: expr('env', 'in', ['x']),
      path: 'sel.matchExpressions[0].operator',
      code: 'operator',
      message: 'has unknown operator in: valid operators are In, NotIn, Exists, DoesNotExist',
    },
    {
      title: 'missing operator',
      raw: { matchExpressions: [{ key: 'env' }] },
      path: 'sel.matchExpressions[0].operator',
      code: 'operator',
      message: 'has unknown operator undefined: valid operators are In, NotIn, Exists, DoesNotExist',
    },
    { title: 'In with an empty values list', raw: expr('env', 'In', []), path: 'sel.matchExpressions[0].values', code: 'values', message: 'must be non-empty when operator is In' },
    { title: 'In with values omitted', raw: expr('env', 'In'), path: 'sel.matchExpressions[0].values', code: 'values', message: 'must be non-empty when operator is In' },
    { title: 'NotIn with no values', raw: expr('env', 'NotIn', []), path: 'sel.matchExpressions[0].values', code: 'values', message: 'must be non-empty when operator is NotIn' },
    { title: 'Exists with values', raw: expr('env', 'Exists', ['x']), path: 'sel.matchExpressions[0].values', code: 'values', message: 'must be empty when operator is Exists' },
    {
      title: 'DoesNotExist with values',
      raw: expr('env', 'DoesNotExist', ['x']),
      path: 'sel.matchExpressions[0].values',
      code: 'values',
      message: 'must be empty when operator is DoesNotExist',
    },
    {
      title: 'values not a list of strings',
      raw: { matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 1] }] },
      path: 'sel.matchExpressions[0].values',
      code: 'type',
      message: 'has the wrong type: values must be a list of strings',
    },
    { title: 'empty key', raw: expr('', 'Exists'), path: 'sel.matchExpressions[0].key', code: 'required', message: 'is required' },
    { title: 'key with a space', raw: expr('bad key', 'Exists'), path: 'sel.matchExpressions[0].key', code: 'labelKey', message: 'bad key is not a valid label key' },
    {
      title: 'the path names the failing expression',
      raw: { matchExpressions: [{ key: 'ok', operator: 'Exists' }, { key: 'env', operator: 'Is' }] },
      path: 'sel.matchExpressions[1].operator',
      code: 'operator',
      message: 'has unknown operator Is: valid operators are In, NotIn, Exists, DoesNotExist',
    },
    { title: 'an expression that is not an object', raw: { matchExpressions: ['env=prod'] }, path: 'sel.matchExpressions[0]', code: 'type', message: 'has the wrong type: each matchExpression must be an object' },
    { title: 'matchExpressions not a list', raw: { matchExpressions: { key: 'env' } }, path: 'sel.matchExpressions', code: 'type', message: 'has the wrong type: matchExpressions must be a list' },
    { title: 'matchLabels bad key', raw: { matchLabels: { 'bad key': 'x' } }, path: 'sel.matchLabels.bad key', code: 'labelKey', message: 'bad key is not a valid label key' },
    { title: 'matchLabels bad value', raw: { matchLabels: { app: 'a b' } }, path: 'sel.matchLabels.app', code: 'labelValue', message: 'a b is not a valid label value' },
    { title: 'matchLabels value of 64 characters', raw: { matchLabels: { app: long64 } }, path: 'sel.matchLabels.app', code: 'labelValue', message: `${long64} is not a valid label value` },
    { title: 'matchLabels value starting with a dash', raw: { matchLabels: { app: '-web' } }, path: 'sel.matchLabels.app', code: 'labelValue', message: '-web is not a valid label value' },
    { title: 'matchLabels value not a string', raw: { matchLabels: { replicas: 3 } }, path: 'sel.matchLabels.replicas', code: 'type', message: 'has the wrong type: label values must be strings' },
    { title: 'matchLabels a list', raw: { matchLabels: ['app=web'] }, path: 'sel.matchLabels', code: 'type', message: 'has the wrong type: matchLabels must be a map of strings' },
    { title: 'selector a string', raw: 'app=web', path: 'sel', code: 'type', message: 'has the wrong type: a label selector must be an object' },
  ])('$title is rejected at $path', ({ raw, path, code, message }) => {
    expect(compile(raw).problems).toEqual([{ severity: 'error', path, code, message }]);
  });

  it.each([
    { title: 'a simple key', key: 'app', valid: true },
    { title: 'dots, dashes and underscores inside', key: 'a.b-c_d', valid: true },
    { title: 'a DNS prefix', key: 'example.com/app', valid: true },
    { title: 'the namespace name label', key: 'kubernetes.io/metadata.name', valid: true },
    { title: 'a name of 63 characters', key: long63, valid: true },
    { title: 'a name of 64 characters', key: long64, valid: false },
    { title: 'a leading dash', key: '-app', valid: false },
    { title: 'a trailing dot', key: 'app.', valid: false },
    { title: 'an uppercase prefix', key: 'Example.com/app', valid: false },
    { title: 'an empty prefix', key: '/app', valid: false },
    { title: 'an empty name after the prefix', key: 'example.com/', valid: false },
    { title: 'two slashes', key: 'a/b/c', valid: false },
    { title: 'a prefix of 254 characters', key: `${'a'.repeat(254)}/app`, valid: false },
  ])('label key: $title is valid=$valid', ({ key, valid }) => {
    expect(isValidLabelKey(key)).toBe(valid);
  });

  it.each([
    { title: 'the empty value', value: '', valid: true },
    { title: 'mixed case with dots', value: 'V1.2_rc-3', valid: true },
    { title: '63 characters', value: long63, valid: true },
    { title: '64 characters', value: long64, valid: false },
    { title: 'a slash', value: 'a/b', valid: false },
    { title: 'a trailing underscore', value: 'web_', valid: false },
  ])('label value: $title is valid=$valid', ({ value, valid }) => {
    expect(isValidLabelValue(value)).toBe(valid);
  });
});

describe('describeSelector', () => {
  it.each([
    { title: 'empty selector', raw: {}, text: '<all>' },
    { title: 'one label', raw: { matchLabels: { app: 'web' } }, text: 'app=web' },
    { title: 'two labels in their order', raw: { matchLabels: { app: 'web', tier: 'fe' } }, text: 'app=web,tier=fe' },
    { title: 'In with sorted values', raw: expr('tier', 'In', ['fe', 'be']), text: 'tier in (be,fe)' },
    // One value reads like matchLabels, as kubectl prints it.
    { title: 'In with one value', raw: expr('tier', 'In', ['fe']), text: 'tier=fe' },
    { title: 'NotIn', raw: expr('env', 'NotIn', ['prod']), text: 'env notin (prod)' },
    { title: 'Exists', raw: expr('legacy', 'Exists'), text: 'legacy' },
    { title: 'DoesNotExist', raw: expr('legacy', 'DoesNotExist'), text: '!legacy' },
    {
      title: 'labels first, then expressions',
      raw: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }, { key: 'env', operator: 'NotIn', values: ['b', 'a'] }] },
      text: 'app=web,!legacy,env notin (a,b)',
    },
  ])('$title: $text', ({ raw, text }) => {
    expect(describeSelector(compile(raw).selector)).toBe(text);
  });
});
