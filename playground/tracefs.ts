/**
 * tracefs for kg-loader: libbpf finds the sock/inet_sock_set_state tracepoint through it. When it
 * is not reachable the playground mounts it, registers the unmount in the Cleanup at once, and
 * says so; when it is there already (someone else's mount) it is left alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Cleanup } from './cleanup.js';
import { step } from './log.js';
import { run } from './run.js';

export const TRACEFS = '/sys/kernel/tracing';
const TRACEPOINT = 'events/sock/inet_sock_set_state';

/** Whether kg-loader can find its tracepoint (tracefs, or tracefs under debugfs). */
export function tracefsReady(): boolean {
  return existsSync(`${TRACEFS}/${TRACEPOINT}`) || existsSync(`/sys/kernel/debug/tracing/${TRACEPOINT}`);
}

/** How many tracefs mounts are stacked at `dir` in this mount namespace. */
export function tracefsMountsAt(dir = TRACEFS): number {
  // /proc/self/mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ...
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => {
      const [before = '', after = ''] = l.split(' - ');
      return before.split(' ')[4] === dir && after.split(' ')[0] === 'tracefs';
    }).length;
}

/** Mounts tracefs at TRACEFS unless the tracepoint is reachable; resolves with whether it did. */
export async function ensureTracefs(cleanup: Cleanup): Promise<boolean> {
  if (tracefsReady()) return false;
  await run('mount', ['-t', 'tracefs', 'nodev', TRACEFS]);
  cleanup.add(`unmount the tracefs mounted at ${TRACEFS}`, async () => {
    await run('umount', [TRACEFS]);
  });
  step(`mounted tracefs at ${TRACEFS} for kg-loader (unmounted again at cleanup)`);
  return true;
}
