// scripts/lib/cached-build.sh: the Go binaries the tests build once (control plane, kg-node, e2e.test,
// kube-router, Helm). A key must change with what makes a binary (its compile functions, its files, the
// Go version) and with nothing else (comments, the build step, the checkout's place), and the shared
// build step must build once, keep its log, fail loudly and prune old entries. `go` is a stand-in on
// PATH, so the Go version is the test's to set and no Go is needed.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kg-cached-build-'));
  dirs.push(d);
  return d;
}

/** A folder with a `go` that prints VERSION as `go version` does. */
function fakeGo(version: string): string {
  const bin = join(tempDir(), 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'go'), `#!/bin/sh\necho "go version ${version} linux/amd64"\n`);
  chmodSync(join(bin, 'go'), 0o755);
  return bin;
}

/** Runs `body` in bash at ROOT after sourcing log.sh and `libs`; stdout trimmed. */
function bash(root: string, libs: string[], body: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const script = ['set -euo pipefail', 'source scripts/lib/log.sh', ...libs.map((l) => `source scripts/lib/${l}`), body].join('\n');
  const r = spawnSync('bash', ['-c', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${env.GO_BIN ?? fakeGo('go1.0')}:${process.env.PATH ?? ''}`, KG_PROGRESS_EVERY: '600', ...env },
  });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describe('cached_build_key', () => {
  // Two files and a compile function; each row changes one thing and says whether the key moves.
  const setup = (dir: string): string => `
    echo one >${dir}/a.go; echo two >${dir}/b.go; echo other >${dir}/unrelated.go
    compile() { go build -o "$1" ./a; }
  `;
  const key = 'cached_build_key compile -- "$D/a.go" "$D/b.go"';
  const rows = [
    { title: 'nothing changed', change: 'true', moves: false },
    { title: 'a file it is built from', change: 'echo changed >"$D/b.go"', moves: true },
    { title: 'a file it is not built from', change: 'echo changed >"$D/unrelated.go"', moves: false },
    { title: 'the compile function body', change: 'compile() { go build -trimpath -o "$1" ./a; }', moves: true },
    { title: 'only comments around the compile function', change: 'compile() {\n  # a note\n  go build -o "$1" ./a\n}', moves: false },
    { title: 'another function beside it', change: 'helper() { echo not part of the build; }', moves: false },
    { title: 'the format number', change: 'cached_build_format=$((cached_build_format + 1))', moves: true },
  ];
  it.each(rows)('$title: key changes = $moves', ({ change, moves }) => {
    const dir = tempDir();
    const r = bash(REPO_ROOT, ['cached-build.sh'], `D=${dir}\n${setup(dir)}\nbefore=$(${key})\n${change}\nafter=$(${key})\necho "$before $after"`);
    expect(r.status, r.stderr).toBe(0);
    const [before, after] = r.stdout.split(' ');
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    expect(before !== after).toBe(moves);
  });

  it('changes with the Go version', () => {
    const dir = tempDir();
    const body = `D=${dir}\n${setup(dir)}\n${key}`;
    const a = bash(REPO_ROOT, ['cached-build.sh'], body, { GO_BIN: fakeGo('go1.0') });
    const b = bash(REPO_ROOT, ['cached-build.sh'], body, { GO_BIN: fakeGo('go1.1') });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it.each([
    { title: 'a function that is not defined', call: 'cached_build_key compile nothere -- "$D/a.go"' },
    { title: 'a file that is not there', call: 'cached_build_key compile -- "$D/missing.go"' },
  ])('fails and prints no key for $title', ({ call }) => {
    const dir = tempDir();
    const r = bash(REPO_ROOT, ['cached-build.sh'], `D=${dir}\n${setup(dir)}\nif out=$(${call}); then echo "ok $out"; else echo "failed '$out'"; fi`);
    expect(r.stdout).toBe("failed ''");
  });
});

describe('the build libraries keys', () => {
  const libs = ['controlplane.sh', 'kg-node.sh', 'e2e-test.sh', 'kube-router.sh'];
  const keys = 'echo "$(controlplane_key) $(kgnode_key) $(e2etest_key) $(kuberouter_key)"';

  /** A checkout elsewhere: a copy of scripts/, the rest of the repository linked in. */
  function copyCheckout(): string {
    const root = tempDir();
    cpSync(join(REPO_ROOT, 'scripts'), join(root, 'scripts'), { recursive: true });
    for (const d of ['test', 'deploy']) symlinkSync(join(REPO_ROOT, d), join(root, d));
    return root;
  }

  function keysAt(root: string, go: string): string[] {
    const r = bash(root, libs, keys, { GO_BIN: go });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.split(' ');
    for (const k of out) expect(k).toMatch(/^[0-9a-f]{16}$/);
    return out;
  }

  function edit(root: string, lib: string, from: string, to: string): void {
    const path = join(root, 'scripts/lib', lib);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(from);
    writeFileSync(path, text.replace(from, to));
  }

  it('do not depend on where the checkout is, its comments, or how the shared step runs a build', () => {
    const go = fakeGo('go1.0');
    const real = keysAt(REPO_ROOT, go);
    const root = copyCheckout();
    expect(keysAt(root, go)).toEqual(real);
    for (const lib of libs) edit(root, lib, '\n', '\n# a new comment\n');
    edit(root, 'cached-build.sh', 'flock "$lock"', 'flock -w 3600 "$lock"');
    edit(root, 'progress.sh', 'every=${KG_PROGRESS_EVERY:-15}', 'every=${KG_PROGRESS_EVERY:-30}');
    expect(keysAt(root, go)).toEqual(real);
  });

  it('the control plane and kg-node move with their shared go build command; e2e.test and kube-router do not', () => {
    const go = fakeGo('go1.0');
    const [cp, node, e2e, router] = keysAt(REPO_ROOT, go);
    const root = copyCheckout();
    edit(root, 'controlplane.sh', 'exec go build -v -trimpath', 'exec go build -v -trimpath -race');
    const [cp2, node2, e2e2, router2] = keysAt(root, go);
    expect([cp2 !== cp, node2 !== node, e2e2 === e2e, router2 === router]).toEqual([true, true, true, true]);
  });

  it('the stamped ldflags move every binary that is stamped with them, not kube-router', () => {
    const go = fakeGo('go1.0');
    const [cp, node, e2e, router] = keysAt(REPO_ROOT, go);
    const root = copyCheckout();
    edit(root, 'controlplane.sh', 'local flags="-s -w"', 'local flags="-w"');
    const [cp2, node2, e2e2, router2] = keysAt(root, go);
    expect([cp2 !== cp, node2 !== node, e2e2 !== e2e, router2 === router]).toEqual([true, true, true, true]);
  });
});

describe('cached_build', () => {
  // A compile stand-in (fake_compile KEY OUT): counts its runs in $T/runs, writes a binary to OUT, or
  // fails when $T/fail exists.
  const compile = `
    fake_compile() {
      echo "compiling $1"
      echo run >>"$T/runs"
      if [ -e "$T/fail" ]; then echo "the reason it failed"; return 3; fi
      printf '#!/bin/sh\\n' >"$2"; chmod +x "$2"
    }
  `;
  const build = (key: string): string => `cached_build "$(cached_build_path thing ${key} thing)" 2 "the thing" "a first build is slow" fake_compile ${key}`;

  function run(body: string): { status: number | null; stdout: string; stderr: string; cache: string; t: string } {
    const cache = tempDir();
    const t = tempDir();
    const r = bash(REPO_ROOT, ['cached-build.sh'], `T=${t}\n${compile}\n${body}`, { KG_CACHE_DIR: cache });
    return { ...r, cache, t };
  }

  const runs = (t: string): number => (existsSync(join(t, 'runs')) ? readFileSync(join(t, 'runs'), 'utf8').trim().split('\n').length : 0);

  it('builds once, then finds the binary; the build log is kept beside it', () => {
    const r = run(`${build('k1')}\n${build('k1')}`);
    expect(r.status, r.stderr).toBe(0);
    const bin = join(r.cache, 'thing/k1/thing');
    expect(r.stdout.split('\n')).toEqual([bin, bin]);
    expect(runs(r.t)).toBe(1);
    expect(r.stderr).toContain('a first build is slow');
    expect(readFileSync(join(r.cache, 'thing/k1/build.log'), 'utf8')).toBe('compiling k1\n');
  });

  it('a failed build exits non-zero, names its log, and leaves no binary', () => {
    const r = run(`touch "$T/fail"\n${build('k1')}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/failed to build the thing \(full log: \S+\/thing\/k1\/build\.log\)/);
    expect(r.stderr).toContain('the reason it failed');
    expect(readdirSync(join(r.cache, 'thing/k1')).sort()).toEqual(['.lock', 'build.log']);
  });

  it('keeps the KEEP most recently used entries', () => {
    // touch -d: entries used in a known order without waiting between builds.
    const r = run(`${build('k1')}\n${build('k2')}\ntouch -d '-2 min' "$KG_CACHE_DIR/thing/k1"; touch -d '-1 min' "$KG_CACHE_DIR/thing/k2"\n${build('k3')}`);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(r.cache, 'thing')).sort()).toEqual(['k2', 'k3']);
  });

  it('refuses an entry whose key could not be computed', () => {
    const r = run('cached_build "$(cached_build_path thing "" thing)" 2 "the thing" "" fake_compile');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cached_build: no path for the thing');
  });
});
