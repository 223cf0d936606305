/** The evaluator token: which file, and re-reading it as the kubelet rotates it. */
import { mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatorTokenPath, fileTokenSource, SERVICE_ACCOUNT_TOKEN } from './token-file.js';

describe('evaluatorTokenPath', () => {
  it.each([
    { title: 'EVALUATOR_TOKEN_FILE wins', env: { EVALUATOR_TOKEN_FILE: '/t' }, saExists: true, expected: '/t' },
    { title: 'the ServiceAccount token when mounted', env: {}, saExists: true, expected: SERVICE_ACCOUNT_TOKEN },
    { title: 'an empty variable counts as unset', env: { EVALUATOR_TOKEN_FILE: '' }, saExists: true, expected: SERVICE_ACCOUNT_TOKEN },
    { title: 'none outside a pod', env: {}, saExists: false, expected: undefined },
  ])('$title', ({ env, saExists, expected }) => {
    expect(evaluatorTokenPath(env, () => saExists)).toBe(expected);
  });
});

describe('fileTokenSource', () => {
  it('re-reads the file after refreshMs, so a rotated token is picked up', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kg-token-')), 'token');
    writeFileSync(file, 'one\n');
    let now = 0;
    const src = fileTokenSource(file, { refreshMs: 1000, now: () => now });
    expect(await src.token()).toBe('one');
    writeFileSync(file, 'two\n');
    now = 999;
    expect(await src.token()).toBe('one'); // cached
    now = 1000;
    expect(await src.token()).toBe('two');
  });

  it('keeps the last token when a re-read fails, and has none before the first success', async () => {
    let fail = true;
    let now = 0;
    const errors: unknown[] = [];
    const src = fileTokenSource('/x', {
      refreshMs: 10, now: () => now, onError: (e) => errors.push(e),
      read: () => (fail ? Promise.reject(new Error('ENOENT')) : Promise.resolve('tok')),
    });
    expect(await src.token()).toBeUndefined();
    fail = false;
    now = 10;
    expect(await src.token()).toBe('tok');
    fail = true;
    now = 20;
    expect(await src.token()).toBe('tok');
    expect(errors).toHaveLength(2);
  });

  it('with refreshMs 0 reads on every call and follows the kubelet\'s atomic swap of the ..data symlink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-token-'));
    writeFileSync(join(dir, 'v1'), 'first\n');
    writeFileSync(join(dir, 'v2'), 'second\n');
    symlinkSync('v1', join(dir, '..data'));
    const src = fileTokenSource(join(dir, '..data'), { refreshMs: 0 });
    expect(await src.token()).toBe('first');
    symlinkSync('v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(await src.token()).toBe('second');
  });

  it('has no token for a missing or empty file, and does not throw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-token-'));
    expect(await fileTokenSource(join(dir, 'absent'), { refreshMs: 0 }).token()).toBeUndefined();
    writeFileSync(join(dir, 'empty'), '\n');
    expect(await fileTokenSource(join(dir, 'empty'), { refreshMs: 0 }).token()).toBeUndefined();
  });
});
