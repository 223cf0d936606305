/**
 * A krew install of the released linux/amd64 archive, laid out as krew lays it out (the archive's
 * `files` copied into $KREW_ROOT/store/kguardian/v<version>/, `bin` linked into $KREW_ROOT/bin),
 * then the manifest's completion caveat run as written, then the real kubectl (1.36, from the
 * test control plane) with only $KREW_ROOT/bin and the system on PATH: `kubectl kguardian` runs
 * the single executable and `kubectl __complete kguardian ...` reaches it through the hook.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { completionCaveat, renderManifest } from './manifest.js';
import { archiveName } from './platforms.js';
import { buildRelease, DEFAULT_BASE_URL, type Release } from './release.js';

const run = promisify(execFile);

interface PlatformEntry {
  selector: { matchLabels: { os: string; arch: string } };
  bin: string;
  files: { from: string; to: string }[];
}

let release: Release;
let krewRoot: string;
let env: Record<string, string>;

beforeAll(() => {
  release = buildRelease();
  const manifest = load(renderManifest(release.version, DEFAULT_BASE_URL, release.platforms)) as { spec: { caveats: string; platforms: PlatformEntry[] } };
  const entry = manifest.spec.platforms.find((p) => p.selector.matchLabels.os === 'linux' && p.selector.matchLabels.arch === 'amd64');
  if (!entry) throw new Error('no linux/amd64 entry in the manifest');
  krewRoot = mkdtempSync(join(tmpdir(), 'kg-krew-'));
  const unpacked = join(krewRoot, 'download');
  const store = join(krewRoot, 'store', 'kguardian', `v${release.version}`);
  for (const d of [unpacked, store, join(krewRoot, 'bin')]) mkdirSync(d, { recursive: true });
  execFileSync('tar', ['-xzf', join(release.dir, archiveName({ os: 'linux', arch: 'amd64' })), '-C', unpacked]);
  // copyFile keeps the mode, as krew's move does: the hook must arrive executable.
  for (const f of entry.files) copyFileSync(join(unpacked, f.from), join(store, f.to, f.from)); // every `to` here is "."
  symlinkSync(join(store, entry.bin), join(krewRoot, 'bin', entry.bin));
  env = { PATH: `${join(krewRoot, 'bin')}:/usr/bin:/bin`, HOME: krewRoot, KREW_ROOT: krewRoot };
  // The caveat, verbatim from the rendered manifest, run by sh as a user pastes it.
  const caveat = manifest.spec.caveats.split('\n').map((l) => l.trim()).find((l) => l === completionCaveat(release.version));
  if (caveat === undefined) throw new Error('the manifest caveats lack the completion line');
  execFileSync('sh', ['-c', caveat], { env });
}, 900_000);

afterAll(() => {
  rmSync(krewRoot, { recursive: true, force: true });
});

describe('krew install of the release archive', () => {
  it('kubectl runs the plugin from $KREW_ROOT/bin', async () => {
    const { stdout } = await run(inject('kubectl'), ['kguardian', '--version'], { env });
    expect(stdout).toBe(`kubectl-kguardian ${release.version}\n`);
  });

  it.each([
    { words: ['au'], out: 'audit\n:4\n' },
    { words: ['audit', 'pro'], out: 'promote\npromote-cluster\n:4\n' },
    { words: ['verdicts', '--verd'], out: '--verdict\n:4\n' },
  ])('kubectl __complete kguardian $words', async ({ words, out }) => {
    const { stdout } = await run(inject('kubectl'), ['__complete', 'kguardian', ...words], { env });
    expect(stdout).toBe(out);
  });
});
