/**
 * The krew manifest against the built release: every platform present once, each sha256 equal to
 * its archive's, each uri naming its archive, bin and files inside the archive; the committed
 * krew/kguardian.yaml differs from a freshly generated one only in its digests; the archives are
 * reproducible (rebuilding one gives the same bytes); and the linux/amd64 binary runs here.
 * The release is built once per set of inputs and cached (krew/release.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSea, ROOT } from '../plugin/bin/sea.js';
import { createArchive, listArchive, sha256File } from './archive.js';
import { renderManifest } from './manifest.js';
import { archiveName, BIN, PLATFORMS } from './platforms.js';
import { buildRelease, DEFAULT_BASE_URL, type Release } from './release.js';

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
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'plugin', 'bin', 'build.ts')], { cwd: ROOT, stdio: 'ignore' });
  release = buildRelease();
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

  it('the committed krew/kguardian.yaml is the generated one, digests aside', () => {
    const committed = load(readFileSync(join(ROOT, 'krew', 'kguardian.yaml'), 'utf8')) as Manifest;
    for (const p of committed.spec.platforms) expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    const noDigests = (m: Manifest): unknown => ({ ...m, spec: { ...m.spec, platforms: m.spec.platforms.map((p) => ({ ...p, sha256: '' })) } });
    expect(noDigests(committed)).toEqual(noDigests(generated));
  });
});

describe('release archives', () => {
  it('are reproducible: rebuilding linux/amd64 gives the same bytes', () => {
    const p = PLATFORMS.find((x) => x.os === 'linux' && x.arch === 'amd64');
    if (!p) throw new Error('linux/amd64 is not a release platform');
    const work = mkdtempSync(join(tmpdir(), 'kg-repro-'));
    try {
      const node = join(work, 'node');
      execFileSync('sh', ['-c', `tar -xzOf "$1" package/bin/node > "$2"`, 'sh', join(release.dir, '..', '..', 'node-binaries', p.nodePackage), node]);
      buildSea({ os: 'linux', nodeBinary: node, out: join(work, BIN), codeCache: false });
      rmSync(node);
      createArchive(work, [BIN], join(work, 'again.tar.gz'));
      expect(sha256File(join(work, 'again.tar.gz'))).toBe(sha256File(join(release.dir, archiveName(p))));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);

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
