/**
 * Builds the release from the committed tree: a snapshot of HEAD (git archive, so no uncommitted
 * work of anyone's gets in) is bundled, then a single executable per platform is made from that
 * bundle, one reproducible .tar.gz each, and the krew manifest from their digests. The archives go
 * to a folder keyed by everything that shapes them, under the cache, with the bundle they were
 * made from, so a second run with the same inputs (the krew test's, CI's) reuses them. The
 * committed krew/kguardian.yaml is what this writes for HEAD: the krew test checks it digest for
 * digest, so a commit that changes the plugin needs the manifest regenerated (by this script).
 *
 *   node --import tsx krew/release.ts [--manifest FILE] [--base-url URL]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSea, ROOT } from '../plugin/bin/sea.js';
import { createArchive, sha256File } from './archive.js';
import { renderManifest, type BuiltPlatform } from './manifest.js';
import { ARCHIVE_EXTRAS, archiveEntries, archiveName, BIN, cacheDir, PLATFORMS, type Platform } from './platforms.js';

export const DEFAULT_BASE_URL = 'https://github.com/kguardian-dev/kguardian/releases/download';

export interface Release {
  dir: string;
  /** The commit the release was built from. */
  commit: string;
  /** The bundle the binaries were made from (kubectl-kguardian.cjs, client-node.cjs). */
  dist: string;
  version: string;
  platforms: BuiltPlatform[];
}

const BUNDLE = ['kubectl-kguardian.cjs', 'client-node.cjs'];

/**
 * HEAD, exported into `into` with git archive and bundled there (node_modules linked from the
 * checkout); esbuild names modules relative to the folder it runs in, so the bundle is the one
 * a clean clone of HEAD builds.
 */
function bundleHead(into: string): { commit: string; version: string } {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  execFileSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', commit, into], { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'));
  execFileSync(process.execPath, ['--import', 'tsx', join(into, 'plugin', 'bin', 'build.ts')], { cwd: into, stdio: 'ignore' });
  const { version } = JSON.parse(readFileSync(join(into, 'package.json'), 'utf8')) as { version: string };
  return { commit, version };
}

/** Bumped when the way archives are made changes (a new key means a rebuild). */
const FORMAT = 'sea-relative-main/host-codecache-predictable/tar-sorted-epoch/gzip-6/extras';

/**
 * The release platform this machine is, if any. Its binary gets a V8 code cache (made by its own
 * Node binary, run here: plugin/bin/sea.ts); the others cannot, since a cache only holds for the
 * V8 build and CPU it was made by and their Node binaries do not run here. Built elsewhere, the
 * archives differ in which one carries the cache: the release is meant to be built on linux/amd64.
 */
export function hostPlatform(): Platform | undefined {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return PLATFORMS.find((p) => p.os === process.platform && p.arch === arch);
}

/** A digest of the bundle, the Node binaries and the format: the release folder's name. */
function releaseKey(nodeDir: string, dist: string): string {
  const host = hostPlatform();
  const h = createHash('sha256').update(`${FORMAT}/${host ? `${host.os}/${host.arch}` : 'none'}`);
  for (const f of BUNDLE) h.update(readFileSync(join(dist, f)));
  for (const e of ARCHIVE_EXTRAS) h.update(`${e.name}/${e.mode}/`).update(readFileSync(join(dist, '..', e.path)));
  for (const p of PLATFORMS) h.update(`${p.os}/${p.arch}/${p.nodePackage}/${readFileSync(join(nodeDir, p.nodePackage)).length}`);
  return h.digest('hex').slice(0, 16);
}

/** Where scripts/install.d/35-plugin-release.sh keeps the npm packages of the Node binaries. */
export function nodeBinariesDir(): string {
  return join(cacheDir(), 'node-binaries');
}

/**
 * Builds one platform's archive into `archive`: the single executable and ARCHIVE_EXTRAS. The
 * release and the reproducibility test both come through here, so they cannot drift apart.
 */
export function buildPlatformArchive(p: Platform, nodeDir: string, archive: string, dist: string): void {
  const work = mkdtempSync(`${archive}.work-`);
  try {
    const node = join(work, 'node');
    writeFileSync(node, execFileSync('tar', ['-xzOf', join(nodeDir, p.nodePackage), 'package/bin/node'], { maxBuffer: 1 << 30 }), { mode: 0o755 });
    buildSea({ os: p.os, nodeBinary: node, out: join(work, BIN), codeCache: p === hostPlatform(), dist });
    rmSync(node);
    for (const e of ARCHIVE_EXTRAS) {
      copyFileSync(join(dist, '..', e.path), join(work, e.name));
      chmodSync(join(work, e.name), e.mode);
    }
    createArchive(work, archiveEntries(), archive);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Keeps the newest `keep` release folders: each holds about 150 MB. */
function prune(parent: string, keep: number): void {
  const dirs = readdirSync(parent)
    .filter((d) => !d.includes('.tmp-'))
    .map((d) => ({ d, t: statSync(join(parent, d)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { d } of dirs.slice(keep)) rmSync(join(parent, d), { recursive: true, force: true });
}

/** Builds (or finds already built) every platform's archive from HEAD. */
export function buildRelease(log: (line: string) => void = () => undefined): Release {
  const nodeDir = nodeBinariesDir();
  for (const p of PLATFORMS) {
    if (!existsSync(join(nodeDir, p.nodePackage))) throw new Error(`${join(nodeDir, p.nodePackage)} is missing: run bash scripts/install-deps.sh`);
  }
  const head = mkdtempSync(join(tmpdir(), 'kg-release-head-'));
  try {
    log('bundling HEAD');
    const { commit, version } = bundleHead(head);
    const headDist = join(head, 'dist');
    // The extras (LICENSE, ...) come from the snapshot too: it sits at dist/.. like the checkout.
    const dir = join(cacheDir(), 'plugin-release', releaseKey(nodeDir, headDist));
    if (!existsSync(join(dir, 'done'))) {
      const tmp = `${dir}.tmp-${process.pid}`;
      mkdirSync(join(tmp, 'dist'), { recursive: true });
      for (const p of PLATFORMS) {
        log(`building ${archiveName(p)} (Node ${p.nodeVersion})`);
        buildPlatformArchive(p, nodeDir, join(tmp, archiveName(p)), headDist);
      }
      // Kept beside the archives (with the extras, at dist/..) so they can be rebuilt from the same bundle.
      for (const f of BUNDLE) copyFileSync(join(headDist, f), join(tmp, 'dist', f));
      for (const e of ARCHIVE_EXTRAS) {
        mkdirSync(join(tmp, e.path, '..'), { recursive: true });
        copyFileSync(join(head, e.path), join(tmp, e.path));
      }
      writeFileSync(join(tmp, 'done'), '');
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
      prune(join(cacheDir(), 'plugin-release'), 2);
    }
    return { dir, commit, dist: join(dir, 'dist'), version, platforms: PLATFORMS.map((p) => ({ os: p.os, arch: p.arch, sha256: sha256File(join(dir, archiveName(p))) })) };
  } finally {
    rmSync(head, { recursive: true, force: true });
  }
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const r = buildRelease((l) => process.stderr.write(`==> ${l}\n`));
  const manifest = flag(args, '--manifest') ?? join(ROOT, 'krew', 'kguardian.yaml');
  writeFileSync(manifest, renderManifest(r.version, flag(args, '--base-url') ?? DEFAULT_BASE_URL, r.platforms));
  process.stdout.write(`archives of ${r.commit} in ${r.dir}\nmanifest ${manifest}\n`);
}
