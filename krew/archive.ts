/**
 * Reproducible release archives: the same inputs give the same bytes (and so the same sha256 in
 * the krew manifest), because entries are sorted, owned by 0:0, dated at the epoch, and gzip
 * leaves out the name and time. GNU tar and gzip do the work.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function createArchive(dir: string, entries: readonly string[], out: string): void {
  const tar = execFileSync('tar', ['--create', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rw,go+r,go-w', '-C', dir, ...entries], {
    maxBuffer: 1 << 30,
  });
  execFileSync('sh', ['-c', `gzip -n -6 > '${out.replace(/'/g, "'\\''")}'`], { input: tar, maxBuffer: 1 << 30 });
}

/** Names of the entries in a .tar.gz, as tar lists them. */
export function listArchive(file: string): string[] {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n').filter((l) => l !== '');
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
