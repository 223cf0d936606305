/** The fast validators' primitives: each must say yes exactly where the matching zod rule does. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isInt, isObj, optString, timeMs } from './fast-check.js';
import { parseRfc3339 } from './rfc3339.js';

describe('isObj', () => {
  it.each([
    { v: {}, ok: true },
    { v: { a: 1 }, ok: true },
    { v: null, ok: false },
    { v: [], ok: false },
    { v: 'x', ok: false },
    { v: undefined, ok: false },
  ])('$v -> $ok, as z.object', ({ v, ok }) => {
    expect(isObj(v)).toBe(ok);
    expect(z.object({}).safeParse(v).success).toBe(ok);
  });
});

describe('isInt', () => {
  it.each([
    { v: 0, ok: true },
    { v: 65535, ok: true },
    { v: 65536, ok: false },
    { v: -1, ok: false },
    { v: 1.5, ok: false },
    { v: NaN, ok: false },
    { v: Infinity, ok: false },
    { v: '3', ok: false },
  ])('$v in 0..65535 -> $ok, as z.int().min().max()', ({ v, ok }) => {
    expect(isInt(v, 0, 65535)).toBe(ok);
    expect(z.int().min(0).max(65535).safeParse(v).success).toBe(ok);
  });
});

describe('optString', () => {
  it.each([
    { title: 'absent', v: undefined, ok: true },
    { title: 'within the lengths and matching', v: 'ab', ok: true },
    { title: 'too short', v: '', ok: false },
    { title: 'too long', v: 'abcd', ok: false },
    { title: 'not matching', v: 'A', ok: false },
    { title: 'not a string', v: 1, ok: false },
    // null is a value, not an absence: z.string().optional() refuses it too.
    { title: 'null', v: null, ok: false },
  ])('$title -> $ok', ({ v, ok }) => {
    expect(optString(v, 1, 3, /^[a-z]+$/)).toBe(ok);
    expect(z.string().min(1).max(3).regex(/^[a-z]+$/).optional().safeParse(v).success).toBe(ok);
  });
});

describe('timeMs', () => {
  it.each([
    '2026-03-01T10:00:05.000Z',
    '2026-03-01T10:00:05+01:00',
    '2026-02-30T10:00:00Z',
    '2026-03-01T10:00:00',
    'yesterday',
  ])('reads %s as parseRfc3339 does, the first time and again from memory', (s) => {
    expect(timeMs(s)).toBe(parseRfc3339(s));
    expect(timeMs(s)).toBe(parseRfc3339(s));
  });

  it('is NaN for what is not a string', () => {
    expect(timeMs(1_772_359_205_000)).toBeNaN();
    expect(timeMs(undefined)).toBeNaN();
  });

  it('stays right after its memory fills and is cleared', () => {
    for (let i = 0; i < 5000; i++) timeMs(`2026-03-01T10:00:05.${String(i).padStart(4, '0')}Z`);
    expect(timeMs('2026-03-01T10:00:05.0001Z')).toBe(Date.parse('2026-03-01T10:00:05.0001Z'));
    expect(timeMs('2026-02-29T00:00:00Z')).toBeNaN();
  });
});
