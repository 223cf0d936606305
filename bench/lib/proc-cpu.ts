/**
 * CPU time of other processes, read from /proc (Linux): a process's own, and a process tree's
 * (itself, its live children, and the children it already reaped), in seconds.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_S = 0.01; // USER_HZ is 100 on every Linux this runs on

interface Stat {
  ppid: number;
  /** utime + stime. */
  own: number;
  /** cutime + cstime: children that exited and were waited for. */
  reaped: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(f[i - 3]);
  return { ppid: n(4), own: (n(14) + n(15)) * TICK_S, reaped: (n(16) + n(17)) * TICK_S };
}

/** CPU seconds of one process so far. */
export function processCpu(pid: number): number {
  return stat(pid)?.own ?? 0;
}

/** CPU seconds of a process and its children (live and reaped) so far: a PostgreSQL server and its backends. */
export function treeCpu(pid: number): number {
  const root = stat(pid);
  if (!root) return 0;
  let total = root.own + root.reaped;
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    if (!Number.isInteger(child) || child === pid) continue;
    const s = stat(child);
    if (s?.ppid === pid) total += s.own + s.reaped;
  }
  return total;
}
