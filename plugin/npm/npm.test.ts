/**
 * The npm install path for real: `npm pack` of plugin/npm/package.json's package, then
 * `npm install -g --prefix <tmp> --offline` of the tarball (no dependencies, so no registry), then
 * the installed bins run with only <tmp>/bin and node on PATH: --help, --version, and the
 * completion hook kubectl calls.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmManifest, packNpm } from './pack.js';

const ROOT = join(import.meta.dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let tarball: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-npm-test-'));
  tarball = packNpm(join(dir, 'pack'));
  const prefix = join(dir, 'prefix');
  // --offline: a dependency would have to come from the registry and fail here; --cache keeps npm off the user's cache.
  execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, '--cache', join(dir, 'cache'), tarball], { stdio: 'pipe' });
  env = { PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}`, HOME: dir };
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(bin: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(dir, 'prefix', 'bin', bin), args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm package', () => {
  it('is named kubectl-kguardian, at the repository version, with no dependencies', () => {
    const m = npmManifest();
    expect(m.name).toBe('kubectl-kguardian');
    expect(m.version).toBe(version);
    expect(m.dependencies ?? {}).toEqual({});
  });

  it('holds the bundle, the launcher, the completion hook and LICENSE, nothing else', () => {
    const names = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(names).toEqual(
      ['LICENSE', 'dist/client-node.cjs', 'dist/kubectl-kguardian.cjs', 'package.json', 'plugin/bin/kubectl-kguardian.js', 'plugin/completion/kubectl_complete-kguardian'].map((f) => `package/${f}`),
    );
  });

  it('installed: --version', () => {
    expect(run('kubectl-kguardian', ['--version'])).toEqual({ code: 0, stdout: `kubectl-kguardian ${version}\n`, stderr: '' });
  });

  it('installed: --help lists the commands', () => {
    const r = run('kubectl-kguardian', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kubectl kguardian <command>');
    expect(r.stdout).toMatch(/verdicts\s+Audit verdicts from the broker/);
    expect(r.stderr).toBe('');
  });

  it.each([
    { words: ['au'], out: 'audit\n:4\n' },
    { words: ['audit', 'pro'], out: 'promote\npromote-cluster\n:4\n' },
  ])('installed: kubectl_complete-kguardian $words (what kubectl runs)', ({ words, out }) => {
    expect(run('kubectl_complete-kguardian', words)).toEqual({ code: 0, stdout: out, stderr: '' });
  });
});
