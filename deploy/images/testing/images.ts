/**
 * scripts/images.sh and its images, for the image tests: running the script, reading a
 * docker-archive's manifest and config, unpacking its root file system with umoci (which applies
 * whiteouts and keeps owners and file capabilities, as a runtime does), and running a command in
 * it with chroot in a private mount namespace (so its mounts vanish with it).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../testing/helm.js';

export const IMAGES_SCRIPT = join(REPO, 'scripts', 'images.sh');

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/images.sh ARGS` (of `repo`, default this checkout) with the given cache folder. */
export function images(args: string[], opts: { cacheDir?: string; repo?: string; timeout?: number } = {}): ScriptRun {
  const env: NodeJS.ProcessEnv = { ...process.env, KG_PROGRESS_EVERY: '60' };
  if (opts.cacheDir) env.KG_CACHE_DIR = opts.cacheDir;
  const r = spawnSync('bash', [join(opts.repo ?? REPO, 'scripts', 'images.sh'), ...args], { encoding: 'utf8', env, timeout: opts.timeout ?? 3_600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface ListLine {
  name: string;
  ref: string;
  archive: string;
}

export function parseList(stdout: string): ListLine[] {
  return stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [name = '', ref = '', archive = '', ...rest] = line.split(' ');
    if (rest.length > 0 || !archive) throw new Error(`not a "NAME REF ARCHIVE" line: ${line}`);
    return { name, ref, archive };
  });
}

/** The built archive of one image in the default cache; fails when it has not been built. */
export function builtArchive(name: string): ListLine {
  const r = images(['list', name]);
  if (r.status !== 0) throw new Error(`images.sh list ${name}: ${r.stderr}`);
  const [line] = parseList(r.stdout);
  if (!line || !existsSync(line.archive)) throw new Error(`${name} is not built (${line?.archive}): run scripts/images.sh build ${name}`);
  return line;
}

/** An OCI image config's `config` part, as buildah writes it into a docker-archive. */
export interface ImageConfig {
  User?: string;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  StopSignal?: string;
}

export interface ArchiveInfo {
  repoTags: string[];
  layers: number;
  config: ImageConfig;
}

function tarEntry(archive: string, entry: string): string {
  return execFileSync('tar', ['-xOf', archive, entry], { encoding: 'utf8', maxBuffer: 16 << 20 });
}

export function archiveInfo(archive: string): ArchiveInfo {
  const [manifest] = JSON.parse(tarEntry(archive, 'manifest.json')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  if (!manifest) throw new Error(`${archive}: empty manifest.json`);
  const config = JSON.parse(tarEntry(archive, manifest.Config)) as { config?: ImageConfig };
  return { repoTags: manifest.RepoTags, layers: manifest.Layers.length, config: config.config ?? {} };
}

export interface Unpacked {
  rootfs: string;
  remove(): void;
}

/** The image's root file system, unpacked into a temporary folder (skopeo to OCI, then umoci). */
export function unpack(archive: string): Unpacked {
  const dir = mkdtempSync(join(tmpdir(), 'kg-image-'));
  execFileSync('skopeo', ['copy', '--quiet', `docker-archive:${archive}`, `oci:${join(dir, 'oci')}:image`], { stdio: 'pipe' });
  execFileSync('umoci', ['unpack', '--image', `${join(dir, 'oci')}:image`, join(dir, 'bundle')], { stdio: 'pipe' });
  rmSync(join(dir, 'oci'), { recursive: true, force: true });
  return { rootfs: join(dir, 'bundle', 'rootfs'), remove: () => { rmSync(dir, { recursive: true, force: true }); } };
}

export interface RootOptions {
  /** "uid:gid" */
  user: string;
  /** Exactly the environment the command gets. */
  env: Record<string, string>;
  /** The working directory (the image's WorkingDir); default /. */
  workdir?: string;
  /** The root file system read-only, as the chart's readOnlyRootFilesystem makes it. */
  readOnly?: boolean;
  /** Empty tmpfs folders (the chart's emptyDir volumes). */
  tmpfs?: string[];
  /** Host folders mounted at paths in the root (the chart's persistent volume). */
  binds?: { host: string; path: string }[];
}

/**
 * PATH inside ROOTFS as the host sees it, its symlinks resolved within ROOTFS (an absolute link,
 * such as Debian's /var/run -> /run, points into ROOTFS, never at the host's own folder).
 */
export function pathIn(rootfs: string, path: string): string {
  const todo = path.split('/').filter(Boolean);
  const done: string[] = [];
  for (let links = 0; todo.length > 0;) {
    const part = todo.shift() ?? '';
    if (part === '.') continue;
    if (part === '..') { done.pop(); continue; }
    const host = join(rootfs, ...done, part);
    if (existsSync(host) && lstatSync(host).isSymbolicLink()) {
      if (++links > 40) throw new Error(`${path}: too many symlinks in ${rootfs}`);
      const target = readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    done.push(part);
  }
  return join(rootfs, ...done);
}

/**
 * The argv that runs ARGV in ROOTFS with chroot, in a new mount namespace holding /proc, /dev and
 * the given mounts: they vanish with the command, so nothing is left mounted on the host.
 */
function inRoot(rootfs: string, argv: string[], opts: RootOptions): string[] {
  for (const d of ['proc', 'dev', ...(opts.tmpfs ?? []), ...(opts.binds ?? []).map((b) => b.path)]) mkdirSync(pathIn(rootfs, d), { recursive: true });
  const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  const lines = ['set -e'];
  if (opts.readOnly) lines.push(`mount --bind ${q(rootfs)} ${q(rootfs)}`, `mount -o remount,bind,ro ${q(rootfs)}`);
  lines.push(`mount -t proc proc ${q(pathIn(rootfs, 'proc'))}`, `mount --rbind /dev ${q(pathIn(rootfs, 'dev'))}`);
  for (const t of opts.tmpfs ?? []) lines.push(`mount -t tmpfs -o mode=1777 tmpfs ${q(pathIn(rootfs, t))}`);
  for (const b of opts.binds ?? []) lines.push(`mount --bind ${q(b.host)} ${q(pathIn(rootfs, b.path))}`);
  lines.push('exec "$@"');
  const env = Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
  return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', lines.join('\n'), 'sh', 'chroot', `--userspec=${opts.user}`, rootfs, '/usr/bin/env', '-i', `--chdir=${opts.workdir ?? '/'}`, ...env, ...argv];
}

/** Runs ARGV in ROOTFS (see inRoot) and waits for it. */
export function runIn(rootfs: string, argv: string[], opts: RootOptions, timeout = 120_000): SpawnSyncReturns<string> {
  const [cmd = '', ...args] = inRoot(rootfs, argv, opts);
  return spawnSync(cmd, args, { encoding: 'utf8', timeout });
}

/** Starts ARGV in ROOTFS (see inRoot); stdout and stderr are collected in `output`. */
export function startIn(rootfs: string, argv: string[], opts: RootOptions): { proc: ChildProcess; output: () => string } {
  const [cmd = '', ...args] = inRoot(rootfs, argv, opts);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  return { proc, output: () => out };
}

/** The image's Env as a map. */
export function envOf(config: ImageConfig): Record<string, string> {
  return Object.fromEntries((config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}
