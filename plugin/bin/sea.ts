/**
 * Builds a Node single executable application (SEA) from the bundle in dist/: a preparation blob
 * (the main bundle, with @kubernetes/client-node as an asset that client-node-loader.ts compiles
 * on first use) injected with postject into a copy of a Node 20 binary of the target platform.
 * The V8 code cache is added only when the target is the building node itself: a cache is
 * specific to one V8 build and architecture, and skipping it keeps the other platforms'
 * binaries byte-for-byte reproducible.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_NODE_FILE } from './client-node-loader.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const DIST = join(ROOT, 'dist');
/** The fuse postject flips so the binary runs the blob (from Node's SEA documentation). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface SeaTarget {
  os: 'linux' | 'darwin';
  /** The Node binary to copy (a Node 20 build for that platform). */
  nodeBinary: string;
  out: string;
  /** Only when nodeBinary is the building node (same V8): see above. */
  codeCache: boolean;
}

export function buildSea(t: SeaTarget): void {
  const work = mkdtempSync(join(tmpdir(), 'kg-sea-'));
  try {
    // Node records the main script's path as given in the blob: copying the bundle into the work
    // folder and naming it relative to it keeps the blob the same whatever the checkout's path.
    copyFileSync(join(DIST, 'kubectl-kguardian.cjs'), join(work, 'kubectl-kguardian.cjs'));
    copyFileSync(join(DIST, CLIENT_NODE_FILE), join(work, CLIENT_NODE_FILE));
    const blob = join(work, 'sea.blob');
    writeFileSync(
      join(work, 'sea-config.json'),
      JSON.stringify({
        main: 'kubectl-kguardian.cjs',
        output: 'sea.blob',
        disableExperimentalSEAWarning: true,
        useCodeCache: t.codeCache,
        assets: { [CLIENT_NODE_FILE]: CLIENT_NODE_FILE },
      }),
    );
    execFileSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], { cwd: work, stdio: 'pipe' });
    copyFileSync(t.nodeBinary, t.out);
    chmodSync(t.out, 0o755);
    const macho = t.os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js'), t.out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...macho], {
      stdio: 'pipe', // postject warns about ELF note names on every run; its errors still arrive in the thrown error
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
