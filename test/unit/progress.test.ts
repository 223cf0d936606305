// scripts/lib/progress.sh's with_progress, as scripts/playground.sh and install.d use it around
// apt-get, npm ci and make: a line while the command works (with its last output), its output
// kept out of the way, and on failure the command's status and the end of its log.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function withProgress(command: string, every: number): { status: number | null; stderr: string; stdout: string } {
  const script = `source scripts/lib/log.sh && source scripts/lib/progress.sh && with_progress "working on it" ${command}`;
  const r = spawnSync('bash', ['-c', script], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, KG_PROGRESS_EVERY: String(every) } });
  return { status: r.status, stderr: r.stderr.replace(ANSI, ''), stdout: r.stdout };
}

describe('with_progress', () => {
  const cases = [
    { title: 'a 3 s command: progress lines with its last output, then done', command: `bash -c 'for i in 1 2 3; do echo tick $i; sleep 1; done'`, every: 1, status: 0, has: [/==> working on it\n/, /still working: \ds, last: tick \d/, /done in \ds/], hasNot: [/failed/] },
    { title: 'a quick command: no progress line', command: 'true', every: 5, status: 0, has: [/done in [01]s/], hasNot: [/still working/] /* whole seconds: a boundary can fall inside */ },
    { title: 'a failing command: its status, the end of its log and the log path', command: `bash -c 'echo the reason; exit 7'`, every: 1, status: 7, has: [/the reason/, /failed after \ds \(exit 7\): working on it \(full log: \S+\)/], hasNot: [/done in/] },
  ];
  it.each(cases)('$title', ({ command, every, status, has, hasNot }) => {
    const r = withProgress(command, every);
    expect(r.status).toBe(status);
    expect(r.stdout).toBe(''); // the command's output goes to the log, not the terminal
    for (const p of has) expect(r.stderr).toMatch(p);
    for (const p of hasNot) expect(r.stderr).not.toMatch(p);
    const log = /full log: (\S+)\)/.exec(r.stderr)?.[1];
    if (log) {
      expect(existsSync(log)).toBe(true); // kept for the user on failure; this test removes its own
      rmSync(log);
    }
  });
});
