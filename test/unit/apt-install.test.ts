// scripts/lib/apt.sh's apt_install, as the steps of scripts/install.d call it for what they find
// missing: apt-get update once a run, the packages installed with a wait for another apt's lock, and
// without root a warning naming what is skipped and what for, with no apt-get at all. `id` and
// `apt-get` are stand-ins on PATH that record their calls.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(uid: number, body: string): { status: number | null; stderr: string; calls: string[] } {
  const bin = mkdtempSync(join(tmpdir(), 'kg-apt-'));
  dirs.push(bin);
  const calls = join(bin, 'calls');
  writeFileSync(join(bin, 'id'), `#!/bin/sh\necho ${uid}\n`);
  writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >>"${calls}"\n`);
  for (const f of ['id', 'apt-get']) chmodSync(join(bin, f), 0o755);
  const script = `set -euo pipefail; unset KG_APT_UPDATED; source scripts/lib/log.sh; source scripts/lib/progress.sh; source scripts/lib/apt.sh; ${body}`;
  const r = spawnSync('bash', ['-c', script], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
  return { status: r.status, stderr: r.stderr.replace(ANSI, ''), calls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [] };
}

describe('apt_install', () => {
  it('as root: one apt-get update for two steps, each install waiting for the lock, options kept', () => {
    const r = run(0, 'apt_install "the first tool" --no-install-recommends a b; apt_install "the second tool" c');
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      'apt-get update',
      'apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends a b',
      'apt-get install -y -o DPkg::Lock::Timeout=600 c',
    ]);
    expect(r.stderr).toContain('installing a b (Debian packages, for the first tool)');
  });

  it('not root: warns what it skips and what for, runs no apt-get, and goes on', () => {
    const r = run(1000, 'apt_install "the web view\'s browser tests" --no-install-recommends chromium; echo after >&2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toContain("not root: skipping chromium (apt-get needs root), for the web view's browser tests");
    expect(r.stderr).toContain('after');
  });
});
