// scripts/lib/builds.sh, as scripts/test.sh uses it: the long builds run in a background job from the
// start, and a stage that needs one waits for it instead of building it a second time. The build
// functions are replaced by stand-ins that record who built what at which priority; the locking
// (a lock per cache entry, as the real builds take) and the job's handling are the library's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Runs `body` after sourcing builds.sh with stand-ins: builds_one NAME takes T/NAME.lock, and unless
 * T/NAME.done exists "builds" NAME (T/NAME.started, a pause, a line "NAME BY NICE-BEFORE NICE-AFTER", relative to its own, in
 * T/built, T/NAME.done); a name in FAIL fails. The background job builds each of `background` in turn, then starts a long sleep.
 */
function harness(background: string[], body: string, fail: string[] = []): { dir: string; status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kg-builds-'));
  dirs.push(dir);
  const script = `
    set -euo pipefail
    source scripts/lib/log.sh
    source scripts/lib/builds.sh
    builds_log=${dir}/builds.log
    T=${dir}
    # Priorities recorded relative to the harness's own, so the test holds when the suite runs niced.
    BASE=$(nice)
    ni() { echo $(( $(ps -o ni= -p "$BASHPID" | tr -d ' ') - BASE )); }
    builds_one() {
      local fd
      exec {fd}>"$T/$1.lock"
      flock "$fd"
      case " ${fail.join(' ')} " in *" $1 "*) return 1 ;; esac
      if [ ! -e "$T/$1.done" ]; then
        local before
        before=$(ni)
        touch "$T/$1.started"
        sleep 3
        echo "$1 $WHO $before $(ni)" >>"$T/built"
        touch "$T/$1.done"
      fi
    }
    builds_all() {
      local b
      for b in ${background.join(' ')}; do WHO=background builds_step "$b"; done
      sleep 300 &
      echo $! >"$T/sleeper"
      wait
    }
    WHO=stage
    trap builds_stop EXIT
    builds_start
    echo "$builds_pid" >"$T/pgid"
    ${body}
  `;
  const r = spawnSync('bash', ['-c', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { dir, status: r.status, stderr: r.stderr };
}

function built(dir: string): string[] {
  return readFileSync(join(dir, 'built'), 'utf8').trim().split('\n');
}

function alive(pid: string): boolean {
  return spawnSync('kill', ['-0', pid]).status === 0;
}

describe('builds.sh', () => {
  it('a stage waits for what the job is building, at normal priority meanwhile, and does not build it again', () => {
    const r = harness(['a'], 'while [ ! -e "$T/a.started" ]; do sleep 0.1; done; builds_need a; test -e "$T/a.done"');
    expect(r.status, r.stderr).toBe(0);
    // Started niced; the stage's wait gave the job priority 0.
    expect(built(r.dir)).toEqual(['a background 10 0']);
  });

  it('a stage builds what the job has not got to, itself', () => {
    const r = harness(['a', 'b'], 'while [ ! -e "$T/a.started" ]; do sleep 0.1; done; builds_need b');
    expect(r.status, r.stderr).toBe(0);
    expect(built(r.dir)).toContain('b stage 0 0');
    expect(built(r.dir).filter((l) => l.startsWith('b '))).toHaveLength(1);
  });

  it('a failed build fails the stage that needs it (the job only says so in its log)', () => {
    const r = harness(['a'], 'while ! grep -q "a failed" "$builds_log"; do sleep 0.1; done; builds_need a', ['a']);
    expect(r.status).not.toBe(0);
    expect(readFileSync(join(r.dir, 'builds.log'), 'utf8')).toMatch(/background build: a failed/);
  });

  it('builds_stop ends the job and every process it started', () => {
    const r = harness(['a'], 'while [ ! -s "$T/sleeper" ]; do sleep 0.1; done');
    expect(r.status, r.stderr).toBe(0);
    const sleeper = readFileSync(join(r.dir, 'sleeper'), 'utf8').trim();
    const pgid = readFileSync(join(r.dir, 'pgid'), 'utf8').trim();
    // The group's processes get SIGTERM; give them a moment to go, bounded by tries.
    for (let i = 0; i < 50 && (alive(sleeper) || alive(pgid)); i++) spawnSync('sleep', ['0.1']);
    expect(alive(sleeper)).toBe(false);
    expect(alive(pgid)).toBe(false);
  });
});
