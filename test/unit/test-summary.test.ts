/**
 * scripts/test.sh's closing lines (scripts/lib/test-skips.sh): a run where the kernel and
 * end-to-end stages could not run (not root) must not end with "all test stages passed", must name
 * them, and must fail under CI. The stages are sourced as test.sh sources them; for the non-root
 * rows the shell runs as uid 65534 (setpriv) when these tests run as root, so the root branch
 * (make, vitest on the kernel) never starts here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const scripts = join(ROOT, 'scripts');
const cwd = mkdtempSync(join(tmpdir(), 'kg-summary-')); // no .cache/test-results: "0 passed, 0 failed"
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const NOBODY = 65534;
const asNonRoot = process.getuid?.() === 0 ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'bash'] : ['bash'];
const uid = process.getuid?.() === 0 ? NOBODY : process.getuid?.();

function run(body: string, ci: boolean, nonRoot: boolean): { code: number | null; stdout: string; stderr: string } {
  const [cmd = 'bash', ...pre] = nonRoot ? asNonRoot : ['bash'];
  const script = `set -euo pipefail; source ${scripts}/lib/log.sh; source ${scripts}/lib/test-skips.sh; ${body}`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(ci ? { CI: 'true' } : {}) };
  const r = spawnSync(cmd, [...pre, '-c', script], { cwd, env, encoding: 'utf8' });
  // log.sh colours its lines: compare the words.
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '') };
}

const stages = `source ${scripts}/test.d/40-kernel.sh; source ${scripts}/test.d/50-e2e.sh; test_summary`;
const skipped = `kernel tests SKIPPED (not root: uid ${uid}); end-to-end tests SKIPPED (not root: uid ${uid})`;

describe('test.sh summary', () => {
  it.each([
    { name: 'every stage ran', body: 'test_summary', ci: false, nonRoot: false, code: 0, says: 'all test stages passed', counts: '0 passed, 0 failed\n' },
    { name: 'every stage ran, CI', body: 'test_summary', ci: true, nonRoot: false, code: 0, says: 'all test stages passed', counts: '0 passed, 0 failed\n' },
    { name: 'not root', body: stages, ci: false, nonRoot: true, code: 0, says: `test stages passed, EXCEPT: ${skipped}`, counts: `0 passed, 0 failed; NOT RUN: ${skipped}\n` },
    // The kernel stage itself stops the run under CI, before any summary.
    { name: 'not root, CI', body: stages, ci: true, nonRoot: true, code: 1, says: 'kernel tests cannot run without root under CI', counts: '' },
    // And the summary fails under CI whatever a stage does.
    { name: 'a stage skipped, CI', body: 'test_skipped "kernel tests SKIPPED (not root: uid 1)"; test_summary', ci: true, nonRoot: false, code: 1, says: 'under CI every test stage must run; skipped: kernel tests SKIPPED (not root: uid 1)', counts: '0 passed, 0 failed; NOT RUN: kernel tests SKIPPED (not root: uid 1)\n' },
  ])('$name', ({ body, ci, nonRoot, code, says, counts }) => {
    const r = run(body, ci, nonRoot);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(says);
    expect(r.stdout).toBe(counts);
    if (code !== 0 || says !== 'all test stages passed') expect(r.stderr).not.toContain('all test stages passed');
  });
});
