/**
 * The krew manifest against the release built from HEAD: every platform present once, each sha256
 * equal to its archive's, each uri naming its archive, bin and files inside the archive; the
 * committed krew/kguardian.yaml is byte for byte the one generated for HEAD; the archives are
 * reproducible (building one again gives the same bytes) and hold the binary, the licence and the
 * other extras with fixed modes; only the build machine's platform carries a V8 code cache; and the
 * linux/amd64 binary runs here.
 * The release is built once per set of inputs and cached (krew/release.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SEA_FLAGS, seaBlobFlags } from '../plugin/bin/sea.js';
import { listArchive, sha256File } from './archive.js';
import { renderManifest } from './manifest.js';
import { ARCHIVE_EXTRAS, archiveEntries, archiveName, BIN, PLATFORMS } from './platforms.js';
import { buildPlatformArchive, buildRelease, DEFAULT_BASE_URL, hostPlatform, nodeBinariesDir, type Release } from './release.js';

interface ManifestPlatform {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  bin: string;
  files: { from: string; to: string }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; homepage: string; shortDescription: string; description: string; caveats: string; platforms: ManifestPlatform[] };
}

let release: Release;
let generated: Manifest;

beforeAll(() => {
  release = buildRelease(); // from HEAD: see release.ts
  generated = load(renderManifest(release.version, DEFAULT_BASE_URL, release.platforms)) as Manifest;
}, 900_000);

describe('krew manifest', () => {
  it('follows the plugin manifest conventions', () => {
    expect(generated.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(generated.kind).toBe('Plugin');
    expect(generated.metadata.name).toBe('kguardian'); // krew requires name == file name
    expect(generated.spec.version).toBe(`v${release.version}`);
    expect(generated.spec.homepage).toMatch(/^https:\/\//);
    expect(generated.spec.shortDescription.length).toBeLessThanOrEqual(50);
    expect(generated.spec.description).toContain('kubectl kguardian verdicts');
    expect(generated.spec.caveats).toContain('codesign');
  });

  it('has every platform exactly once', () => {
    const labels = generated.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`);
    expect(labels.sort()).toEqual(PLATFORMS.map((p) => `${p.os}/${p.arch}`).sort());
  });

  it.each(PLATFORMS.map((p) => ({ label: `${p.os}/${p.arch}`, p })))('$label: uri, sha256, bin and files match the built archive', ({ p }) => {
    const entry = generated.spec.platforms.find((x) => x.selector.matchLabels.os === p.os && x.selector.matchLabels.arch === p.arch);
    const archive = join(release.dir, archiveName(p));
    expect(entry?.uri.endsWith(`/v${release.version}/${archiveName(p)}`)).toBe(true);
    expect(entry?.sha256).toBe(sha256File(archive));
    const names = listArchive(archive);
    expect(names).toContain(entry?.bin);
    for (const f of entry?.files ?? []) expect(names).toContain(f.from);
  });

  // Digests included: the committed file must describe the archives HEAD builds. After a commit
  // that changes the plugin, regenerate it: bash scripts/build-plugin.sh --release.
  it('the committed krew/kguardian.yaml is exactly what krew/release.ts writes for HEAD', () => {
    const committed = readFileSync(join(ROOT, 'krew', 'kguardian.yaml'), 'utf8');
    const fresh = renderManifest(release.version, DEFAULT_BASE_URL, release.platforms);
    const digests = (m: string): string[] => [...m.matchAll(/sha256: ([0-9a-f]{64})/g)].map((x) => x[1] ?? '');
    expect(digests(committed), `krew/kguardian.yaml is stale for ${release.commit}: run bash scripts/build-plugin.sh --release`).toEqual(digests(fresh));
    expect(committed).toBe(fresh);
  });
});

describe('release archives', () => {
  it('are reproducible: building linux/amd64 a second time gives the same bytes', () => {
    const p = PLATFORMS.find((x) => x.os === 'linux' && x.arch === 'amd64');
    if (!p) throw new Error('linux/amd64 is not a release platform');
    const work = mkdtempSync(join(tmpdir(), 'kg-repro-'));
    try {
      buildPlatformArchive(p, nodeBinariesDir(), join(work, 'again.tar.gz'), release.dist);
      expect(sha256File(join(work, 'again.tar.gz'))).toBe(sha256File(join(release.dir, archiveName(p))));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);

  it.each(PLATFORMS.map((p) => ({ label: `${p.os}/${p.arch}`, p })))('$label: holds exactly the binary and the extras, with their modes and bytes', ({ p }) => {
    const archive = join(release.dir, archiveName(p));
    const listing = execFileSync('tar', ['-tvzf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).at(-1))).toEqual(archiveEntries());
    expect(listing.find((l) => l.endsWith(` ${BIN}`))).toMatch(/^-rwxr-xr-x 0\/0 /);
    for (const e of ARCHIVE_EXTRAS) {
      expect(listing.find((l) => l.endsWith(` ${e.name}`))).toMatch(e.mode === 0o755 ? /^-rwxr-xr-x 0\/0 / : /^-rw-r--r-- 0\/0 /);
      expect(execFileSync('tar', ['-xzOf', archive, e.name])).toEqual(readFileSync(join(release.dist, '..', e.path)));
    }
  });

  // The build machine's platform gets a V8 code cache (made by its own Node binary); the others
  // cannot have one (their Node does not run here): see hostPlatform in release.ts.
  it.each(PLATFORMS.map((p) => ({ label: `${p.os}/${p.arch}`, p })))('$label: code cache only when it is this machine\'s platform', ({ p }) => {
    const flags = seaBlobFlags(execFileSync('tar', ['-xzOf', join(release.dir, archiveName(p)), BIN], { maxBuffer: 1 << 30 }));
    expect(flags).toBeDefined();
    expect(((flags ?? 0) & SEA_FLAGS.includeAssets) !== 0).toBe(true);
    expect(((flags ?? 0) & SEA_FLAGS.useCodeCache) !== 0).toBe(p === hostPlatform());
  });

  it('this machine is a release platform (else no archive has a code cache)', () => {
    expect(hostPlatform()).toMatchObject({ os: 'linux', arch: 'amd64' });
  });

  it('carry the Apache 2.0 licence that package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    expect(archiveEntries()).toContain('LICENSE');
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^\s*Apache License\n\s*Version 2\.0, January 2004\n/);
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });

  it('the linux/amd64 binary runs here', () => {
    const work = mkdtempSync(join(tmpdir(), 'kg-run-'));
    try {
      execFileSync('tar', ['-xzf', join(release.dir, archiveName({ os: 'linux', arch: 'amd64' })), '-C', work]);
      expect(execFileSync(join(work, BIN), ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } })).toBe(`kubectl-kguardian ${release.version}\n`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
