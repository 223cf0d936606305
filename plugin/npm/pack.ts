/**
 * The npm package of the plugin (the npm install path): plugin/npm/package.json, a manifest of its
 * own, because the repository's package.json is the whole project (private, with the daemons'
 * runtime dependencies: pg, pglite, hono...) while the plugin is one bundle with no dependencies.
 * Stages the bundle (built first), its launcher, the completion hook and LICENSE in the paths the
 * manifest names (the same relative layout as the checkout, so the launcher finds ../../dist),
 * sets the version from the repository's package.json, and runs `npm pack`.
 *
 *   node --import tsx plugin/npm/pack.ts [OUT_DIR]     prints the .tgz path
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface NpmManifest {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  dependencies?: Record<string, string>;
}

export function npmManifest(): NpmManifest {
  const m = JSON.parse(readFileSync(join(import.meta.dirname, 'package.json'), 'utf8')) as NpmManifest;
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return { ...m, version };
}

/** Builds the bundle, stages the package and packs it into outDir; returns the tarball's path. */
export function packNpm(outDir: string): string {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'plugin', 'bin', 'build.ts')], { cwd: ROOT, stdio: 'ignore' });
  const manifest = npmManifest();
  const stage = mkdtempSync(join(tmpdir(), 'kg-npm-'));
  try {
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const f of manifest.files) {
      mkdirSync(dirname(join(stage, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(stage, f));
    }
    mkdirSync(outDir, { recursive: true });
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(outDir)], { cwd: stage, encoding: 'utf8' });
    return join(resolve(outDir), out.trim().split('\n').at(-1) ?? '');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  process.stdout.write(`${packNpm(process.argv[2] ?? join(ROOT, 'dist'))}\n`);
}
