/**
 * CPU accounting from /proc for benchmarks: a process's CPU seconds (utime + stime), its children
 * (kg-loader under the agent), and how busy each core was over a span (how contended the machine
 * was while a figure was measured).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ

/** Fields after the command name of /proc/PID/stat (the name may contain spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function procCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

/** Direct children of `pid`. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(Number(entry))[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Per-core jiffies (user..steal) from /proc/stat. */
export function coreTimes(): number[][] {
  return readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).map((l) => l.split(/\s+/).slice(1, 9).map(Number));
}

/** "core 0 87%, core 1 100%": busy share of each core between two coreTimes() readings. */
export function busyPercent(before: number[][], after: number[][]): string {
  return after.map((a, i) => {
    const d = a.map((v, j) => v - (before[i]?.[j] ?? 0));
    const total = d.reduce((s, v) => s + v, 0);
    const idle = (d[3] ?? 0) + (d[4] ?? 0);
    return `core ${i} ${total > 0 ? Math.round((100 * (total - idle)) / total) : 0}%`;
  }).join(', ');
}
