/**
 * `--version` answers from a checkout as it does from the bundle: the development launcher
 * (bin/kubectl-kguardian, running plugin/cli.ts through tsx) prints "kubectl-kguardian dev".
 * The bundle's stamped version is checked by plugin/npm/npm.test.ts and plugin/bin/sea.test.ts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { memoryIO } from './io.js';
import { runCli } from './main.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..');

describe('--version from a checkout', () => {
  it.each([['--version'], ['version']])('runCli([%j]) prints the version and exits 0', async (arg) => {
    const io = memoryIO();
    expect(await runCli([arg], io)).toBe(0);
    expect({ out: io.out(), err: io.err() }).toEqual({ out: 'kubectl-kguardian dev\n', err: '' });
  });

  // Spawns tsx, which compiles on the fly: seconds on a busy machine.
  it('bin/kubectl-kguardian --version (the development launcher) exits 0', { timeout: 60_000 }, async () => {
    const { stdout, stderr } = await run(join(REPO, 'bin', 'kubectl-kguardian'), ['--version'], { cwd: REPO });
    expect({ stdout, stderr }).toEqual({ stdout: 'kubectl-kguardian dev\n', stderr: '' });
  });
});
