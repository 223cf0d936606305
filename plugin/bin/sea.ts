/**
 * Builds a Node single executable application (SEA) from the bundle in dist/: a preparation blob
 * (the main bundle, with @kubernetes/client-node as an asset that client-node-loader.ts compiles
 * on first use) injected with postject into a copy of a Node 20 binary of the target platform.
 * A V8 code cache (the main bundle already compiled, which saves most of --help's start-up) is
 * specific to one V8 build, its flags and the CPU architecture, and V8 drops a cache that does not
 * match: so it is made by running the target's own Node binary, which works only when that binary
 * runs on the building machine (krew/release.ts asks for it for the build machine's platform only).
 * It is made under --predictable: otherwise V8's background compilation makes a different cache on
 * every run (the archives would not be reproducible), and V8 leaves --predictable and what it
 * implies out of the flag hash a cache is checked against "to allow predictable code caching"
 * (src/flags/flags.cc), so the binary, run without it, still accepts the cache.
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
  /** Add a V8 code cache: nodeBinary must run here, as it makes the blob (see above). */
  codeCache: boolean;
  /** The bundle's folder (default: this checkout's dist/; a release builds from a snapshot of HEAD). */
  dist?: string;
}

/** The SEA blob's flags (Node 20's src/node_sea.h SeaFlags) that the tests read back. */
export const SEA_FLAGS = { disableWarning: 1 << 0, useCodeCache: 1 << 2, includeAssets: 1 << 3 } as const;
const SEA_MAGIC = 0x0143da20;
const MAIN = 'kubectl-kguardian.cjs';

/**
 * The flags of the blob injected into a single executable: the blob starts with the magic, the
 * flags, then the main script's name (a 64-bit length and the bytes), which tells the blob from a
 * stray copy of the magic in Node's own code. undefined: no blob.
 */
export function seaBlobFlags(binary: Buffer): number | undefined {
  const head = Buffer.alloc(16 + MAIN.length);
  head.writeUInt32LE(SEA_MAGIC, 0);
  head.writeBigUInt64LE(BigInt(MAIN.length), 8);
  head.write(MAIN, 16, 'latin1');
  for (let i = binary.indexOf(head.subarray(0, 4)); i >= 0; i = binary.indexOf(head.subarray(0, 4), i + 1)) {
    if (binary.subarray(i + 8, i + head.length).equals(head.subarray(8))) return binary.readUInt32LE(i + 4);
  }
  return undefined;
}

export function buildSea(t: SeaTarget): void {
  const work = mkdtempSync(join(tmpdir(), 'kg-sea-'));
  try {
    // Node records the main script's path as given in the blob: copying the bundle into the work
    // folder and naming it relative to it keeps the blob the same whatever the checkout's path.
    copyFileSync(join(t.dist ?? DIST, MAIN), join(work, MAIN));
    copyFileSync(join(t.dist ?? DIST, CLIENT_NODE_FILE), join(work, CLIENT_NODE_FILE));
    const blob = join(work, 'sea.blob');
    writeFileSync(
      join(work, 'sea-config.json'),
      JSON.stringify({
        main: MAIN,
        output: 'sea.blob',
        disableExperimentalSEAWarning: true,
        useCodeCache: t.codeCache,
        assets: { [CLIENT_NODE_FILE]: CLIENT_NODE_FILE },
      }),
    );
    const make = t.codeCache ? [t.nodeBinary, '--predictable'] : [process.execPath];
    execFileSync(make[0] ?? process.execPath, [...make.slice(1), '--experimental-sea-config', 'sea-config.json'], { cwd: work, stdio: 'pipe' });
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
