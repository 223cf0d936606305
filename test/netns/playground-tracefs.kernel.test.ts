// The playground's tracefs handling (playground/tracefs.ts), in a private mount namespace so the
// machine's own mounts are never touched: with tracefs absent it mounts it for kg-loader and its
// Cleanup unmounts it again; with tracefs there it mounts nothing and unmounts nothing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';
import { requireRoot } from './require-root.js';

requireRoot('the playground tracefs tests');

// Runs the probe in a new mount namespace (private: nothing propagates back), after `prepare`.
async function probe(prepare: string): Promise<unknown> {
  const script = `${prepare}; exec "$0" --import tsx test/netns/tracefs-probe.ts`;
  const { stdout } = await promisify(execFile)('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, process.execPath], { cwd: REPO_ROOT });
  return JSON.parse(stdout);
}

const cases = [
  {
    title: 'tracefs absent: mounts it, and the cleanup unmounts it',
    // Every tracefs mount and debugfs (whose tracing/ also reaches the tracepoint) taken away in this namespace only.
    prepare: 'while umount /sys/kernel/tracing 2>/dev/null; do :; done; while umount /sys/kernel/debug 2>/dev/null; do :; done',
    want: { before: { ready: false, mounts: 0 }, mounted: true, during: { ready: true, mounts: 1 }, after: { ready: false, mounts: 0 }, failed: [] },
  },
  {
    title: 'tracefs there already: leaves it alone',
    prepare: '[ -e /sys/kernel/tracing/events/sock ] || mount -t tracefs nodev /sys/kernel/tracing',
    want: { before: { ready: true, mounts: 1 }, mounted: false, during: { ready: true, mounts: 1 }, after: { ready: true, mounts: 1 }, failed: [] },
  },
];

describe('ensureTracefs', () => {
  it.each(cases)('$title', async ({ prepare, want }) => {
    expect(await probe(prepare)).toEqual(want);
  });
});
