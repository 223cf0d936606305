/**
 * The eBPF programs the playground's kg-loader holds, found from the kernel rather than from what
 * the loader prints: its open file descriptors (prog_id in /proc/PID/fdinfo covers programs and
 * links), and which of them bpftool lists on the cgroup v2 root. For the cleanup check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { runCommand } from './run.js';

/** The first cgroup2 mount, where kg-loader attaches when given no --cgroup. */
export function cgroup2Root(): string {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, dir, type] = line.split(' ');
    if (type === 'cgroup2' && dir) return dir;
  }
  throw new Error('no cgroup v2 mount in /proc/self/mounts');
}

/** Pids of the processes named `comm` whose parent is `parent`. */
export function childrenNamed(parent: number, comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: PID (COMM) STATE PPID ...; COMM may hold spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === parent) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Ids of the BPF programs process `pid` holds open, sorted. */
export function programsHeldBy(pid: number): number[] {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const m = /^prog_id:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/** Ids of the programs attached to `cgroup` (bpftool cgroup show). */
export async function programsOnCgroup(cgroup = cgroup2Root()): Promise<number[]> {
  const r = await runCommand('bpftool', ['-j', 'cgroup', 'show', cgroup]);
  if (r.code !== 0) throw new Error(`bpftool cgroup show ${cgroup} exited ${r.code}: ${r.stderr.trim()}`);
  // Nothing attached: bpftool prints nothing at all, not [].
  const text = r.stdout.trim();
  return text === '' ? [] : (JSON.parse(text) as { id: number }[]).map((p) => p.id);
}

/** Whether a program with this id is still loaded in the kernel. */
export async function programLoaded(id: number): Promise<boolean> {
  return (await runCommand('bpftool', ['prog', 'show', 'id', String(id)])).code === 0;
}
