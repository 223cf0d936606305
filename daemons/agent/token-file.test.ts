import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenFromFile } from './token-file.js';

let dir = '';
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('tokenFromFile', () => {
  it('follows the kubelet\'s atomic swap of a projected token (..data symlink replaced)', () => {
    dir = mkdtempSync(join(tmpdir(), 'kg-token-'));
    writeFileSync(join(dir, 'v1'), 'first\n');
    writeFileSync(join(dir, 'v2'), 'second\n');
    symlinkSync('v1', join(dir, '..data'));
    const read = tokenFromFile(join(dir, '..data'));
    expect(read()).toBe('first');
    symlinkSync('v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(read()).toBe('second');
  });

  it('gives undefined, not a throw, for a missing or empty file', () => {
    dir = mkdtempSync(join(tmpdir(), 'kg-token-'));
    expect(tokenFromFile(join(dir, 'absent'))()).toBeUndefined();
    writeFileSync(join(dir, 'empty'), '\n');
    expect(tokenFromFile(join(dir, 'empty'))()).toBeUndefined();
  });
});
