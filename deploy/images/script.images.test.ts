// scripts/images.sh's behaviour: `list` names every image and builds nothing; `build` caches by
// content (an unchanged input is a cache hit that leaves the archive alone, a changed one is a new
// key, a new tag and a new archive, and only the two newest keys are kept); `load` imports into a
// containerd's k8s.io namespace; bad arguments are one-line errors. The builds here are of the
// pause image (seconds), in a copy of the scripts and its recipe, in a temporary cache.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../testing/helm.js';
import { startContainerd, type Containerd } from './testing/containerd.js';
import { archiveInfo, images, parseList } from './testing/images.js';

const ALL = ['pause', 'coredns', 'agnhost', 'debian', 'postgres', 'node', 'kguardian-broker', 'kguardian-evaluator', 'kguardian-agent'];

let cache: string;
let repo: string;

beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'kg-images-cache-'));
  repo = mkdtempSync(join(tmpdir(), 'kg-images-repo-'));
  for (const p of ['scripts/images.sh', 'scripts/lib/log.sh', 'scripts/lib/progress.sh', 'scripts/lib/images.sh', 'deploy/images/pause']) {
    mkdirSync(dirname(join(repo, p)), { recursive: true });
    cpSync(join(REPO, p), join(repo, p), { recursive: true });
  }
});

afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
});

describe('images.sh list', () => {
  it('prints NAME REF ARCHIVE for every image, in build order, and builds nothing', () => {
    const r = images(['list'], { cacheDir: cache });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = parseList(r.stdout);
    expect(lines.map((l) => l.name)).toEqual(ALL);
    for (const l of lines) {
      const key = l.archive.match(/\/images\/([a-z-]+)\/([0-9a-f]{16})\/image\.tar$/);
      expect(l.archive.startsWith(join(cache, 'images', l.name)), l.archive).toBe(true);
      expect(key?.[1]).toBe(l.name);
      if (l.name === 'node') expect(l.ref).toBe('docker.io/library/node:20.20.2-bookworm-slim');
      else expect(l.ref).toBe(`kguardian.local/${l.name}:${l.ref.split(':')[1] ?? ''}`);
      if (l.name !== 'node') expect(l.ref.split(':')[1]).toMatch(new RegExp(`-${key?.[2]?.slice(0, 12) ?? 'x'}$`));
    }
    expect(existsSync(join(cache, 'images'))).toBe(false);
  });

  it('gives the three kguardian images one tag (the chart has one image.tag), the package version first', () => {
    const lines = parseList(images(['list', 'kguardian-broker', 'kguardian-evaluator', 'kguardian-agent'], { cacheDir: cache }).stdout);
    const tags = new Set(lines.map((l) => l.ref.split(':')[1]));
    expect(tags.size).toBe(1);
    expect([...tags][0]).toMatch(/^0\.1\.0-[0-9a-f]{12}$/);
  });

  it('is stable: the same inputs give the same keys', () => {
    expect(images(['list'], { cacheDir: cache }).stdout).toBe(images(['list'], { cacheDir: cache }).stdout);
  });
});

describe('images.sh arguments', () => {
  const table: { args: string[]; says: RegExp }[] = [
    { args: ['build', 'nginx'], says: /unknown image 'nginx' \(known: pause coredns/ },
    { args: ['list', 'pause', 'bogus'], says: /unknown image 'bogus'/ },
    { args: ['frobnicate'], says: /unknown command 'frobnicate'/ },
    { args: ['load', 'pause'], says: /load needs --containerd-address SOCK/ },
    { args: ['load', '--containerd-address'], says: /--containerd-address needs a socket path/ },
    { args: ['load', '--containerd-address', '/nonexistent/containerd.sock'], says: /--containerd-address \/nonexistent\/containerd\.sock: no socket there/ },
    { args: ['load', '--all'], says: /unknown option '--all'/ },
  ];
  it.each(table)('$args: exits 1 with one line naming the problem', ({ args, says }) => {
    const r = images(args, { cacheDir: cache });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(says);
  });

  it('--help shows every command, the cache folder and examples', () => {
    const r = images(['--help'], { cacheDir: cache });
    expect(r.status).toBe(0);
    for (const s of ['build [NAME...]', 'load --containerd-address SOCK', 'list [NAME...]', 'KG_CACHE_DIR', 'Examples:', 'kguardian.local/NAME']) expect(r.stdout).toContain(s);
  });
});

describe('images.sh build (pause, in a copy of the scripts)', () => {
  const build = () => images(['build', 'pause'], { cacheDir: cache, repo });
  const list = () => parseList(images(['list', 'pause'], { cacheDir: cache, repo }).stdout)[0];
  const keysOnDisk = () => readdirSync(join(cache, 'images', 'pause')).sort();

  it('builds once, then hits the cache while the inputs are unchanged', () => {
    const first = build();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/pause: building kguardian\.local\/pause:3\.10-/);
    const line = list();
    expect(parseList(first.stdout)).toEqual([line]);
    expect(line && archiveInfo(line.archive).repoTags).toEqual([line?.ref]);
    const before = statSync(line?.archive ?? '');

    const second = build();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain(`pause: cached (${line?.ref})`);
    expect(second.stderr).not.toContain('building');
    const after = statSync(line?.archive ?? '');
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  }, 600_000);

  it('rebuilds under a new key and tag when an input changes, keeping the two newest keys', () => {
    const original = list();
    appendFileSync(join(repo, 'deploy/images/pause/pause.c'), '/* changed */\n');
    const changed = list();
    expect(changed?.ref).not.toBe(original?.ref);
    expect(changed?.archive).not.toBe(original?.archive);
    const r = build();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pause: building ${changed?.ref}`);
    expect(existsSync(changed?.archive ?? '')).toBe(true);
    expect(existsSync(original?.archive ?? '')).toBe(true);
    expect(keysOnDisk()).toHaveLength(2);

    appendFileSync(join(repo, 'deploy/images/pause/pause.c'), '/* changed again */\n');
    const third = list();
    expect(build().status).toBe(0);
    expect(existsSync(third?.archive ?? '')).toBe(true);
    expect(existsSync(original?.archive ?? '')).toBe(false);
    expect(keysOnDisk()).toHaveLength(2);
  }, 600_000);
});

describe('images.sh load, into a private containerd', () => {
  let containerd: Containerd;
  beforeAll(async () => {
    containerd = await startContainerd();
  }, 120_000);
  afterAll(async () => {
    await containerd.stop();
  });

  it('imports the built archive into the k8s.io namespace under its reference', () => {
    const line = parseList(images(['list', 'pause'], { cacheDir: cache, repo }).stdout)[0];
    const r = images(['load', '--containerd-address', containerd.socket, 'pause'], { cacheDir: cache, repo });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pause: cached (${line?.ref})`);
    expect(r.stderr).toContain(`pause: importing ${line?.ref} into containerd (${containerd.socket}, namespace k8s.io)`);
    expect(containerd.ctr(['images', 'ls', '-q']).split('\n')).toContain(line?.ref);
  }, 600_000);
});
