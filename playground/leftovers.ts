/**
 * What a playground run left in the kernel, for the cleanup tests: network namespaces and links
 * named with its prefix, the eBPF programs its kg-loader held (still loaded, or still attached to
 * the cgroup v2 root), and any tracefs mount more than there were before it.
 */
import { cgroup2Root, programLoaded, programsOnCgroup } from './bpf-programs.js';
import { run } from './run.js';
import { TRACEFS, tracefsMountsAt } from './tracefs.js';

export interface Made {
  /** Netns and link name prefix (NetnsLab.prefix). */
  prefix: string;
  /** Ids of the programs kg-loader held. */
  programs?: readonly number[];
  /** tracefs mounts at TRACEFS before the run: more after it is a mount it (or its kg-loader) left. */
  tracefsBefore?: number;
}

export async function leftovers(made: Made): Promise<string[]> {
  const netns = (await run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0] ?? '');
  const links = (await run('ip', ['-o', 'link', 'show'])).split('\n').map((l) => (l.split(':')[1] ?? '').trim().split('@')[0] ?? '');
  const left = [...netns, ...links].filter((n) => n.startsWith(made.prefix));
  const root = cgroup2Root();
  const attached = new Set(await programsOnCgroup(root));
  for (const id of made.programs ?? []) {
    if (attached.has(id)) left.push(`bpf program ${id} attached to ${root}`);
    if (await programLoaded(id)) left.push(`bpf program ${id} loaded`);
  }
  if (made.tracefsBefore !== undefined && tracefsMountsAt(TRACEFS) > made.tracefsBefore) left.push(`tracefs mounted at ${TRACEFS}`);
  return left;
}
