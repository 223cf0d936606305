/**
 * Another commit's copy of the tree, for a before/after comparison in one run: `git archive` of
 * the commit into a temporary folder that shares this checkout's node_modules, so a benchmark can
 * import that commit's own code (its broker, its proxy, its page) beside the current one and
 * measure both under the same load on the same machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Baseline {
  /** The commit, abbreviated. */
  commit: string;
  /** Where its tree is: import `${dir}/bench/...` to run its code. */
  dir: string;
  remove(): Promise<void>;
}

export async function checkoutBaseline(ref: string): Promise<Baseline> {
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { encoding: 'utf8' }).trim();
  const dir = await mkdtemp(join(tmpdir(), `kg-baseline-${commit}-`));
  const archive = execFileSync('git', ['archive', '--format=tar', commit], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  await symlink(resolve('node_modules'), join(dir, 'node_modules'));
  return { commit, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
