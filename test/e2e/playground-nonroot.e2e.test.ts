// The playground without root, as a user who is not root runs it: `bash scripts/playground.sh
// --once` as uid 65534 (setpriv, no supplementary groups) with a home of its own. It must say that
// there is no eBPF and that it runs on recorded traffic, install nothing that needs root, show the
// counts, exit 0, and leave no folder or process behind.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';
import { expectNothingLeft, PlaygroundRun, statusColumns } from './playground-run.js';

const NOBODY = 65534;
let home: string;
let current: PlaygroundRun | undefined;

/** The test control plane's binary, built (or found cached) as root, where the user's own cache has it. */
function seedControlPlane(into: string): void {
  const bin = execFileSync('bash', ['-c', 'source scripts/lib/log.sh && source scripts/lib/controlplane.sh && controlplane_build'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const dest = join(into, '.cache', 'kguardian', 'controlplane', basename(dirname(bin)));
  mkdirSync(dest, { recursive: true });
  copyFileSync(bin, join(dest, 'kg-controlplane'));
  chmodSync(join(dest, 'kg-controlplane'), 0o755);
}

/** Top-level entries of the temp folder owned by the user, except its home and tsx's compile cache. */
function tempEntriesOfNobody(): string[] {
  return readdirSync(tmpdir()).filter((n) => {
    try {
      return statSync(join(tmpdir(), n)).uid === NOBODY && join(tmpdir(), n) !== home && n !== `tsx-${NOBODY}`;
    } catch {
      return false;
    }
  });
}

/** Live processes of the user; zombies are left out (dead already, waiting for a parent outside
 * the playground, such as a container's PID 1 that reaps nothing, to collect their status). */
function processesOfNobody(): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'uid=,stat=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([uid, stat]) => Number(uid) === NOBODY && !stat?.startsWith('Z'))
    .map((f) => f.slice(2).join(' '));
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'kg-nobody-home-'));
  seedControlPlane(home);
  execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, home]);
}, 900_000);

afterEach(() => {
  current?.kill();
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('the playground without root', () => {
  it('says there is no eBPF, runs on recorded traffic, installs nothing as root, shows the counts, exits 0, leaves nothing', async () => {
    expect(processesOfNobody()).toEqual([]);
    const before = tempEntriesOfNobody();
    // Root's cache and cluster settings are not the user's.
    const inherited = Object.entries(process.env).filter(([k]) => !['KG_CACHE_DIR', 'XDG_CACHE_HOME', 'KUBECONFIG', 'DATABASE_URL'].includes(k));
    const env: NodeJS.ProcessEnv = { ...Object.fromEntries(inherited), HOME: home, USER: 'nobody', LOGNAME: 'nobody' };
    const run = (current = new PlaygroundRun(['--once'], { cmd: 'setpriv', args: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'bash', 'scripts/playground.sh'], env }));
    expect(await run.exited).toBe(0);
    // The script's warning, then the playground's own banner.
    expect(run.output).toMatch(/not root \(uid 65534\): no eBPF toolchain or build, no network namespaces: the playground runs on RECORDED traffic/);
    expect(run.output).toMatch(/Not running as root \(uid 65534\): no eBPF agent and no network namespaces\./);
    expect(run.output).toMatch(/Running with RECORDED traffic instead/);
    // Only the playground's installs, none that needs root, no BPF build, no netns, no agent.
    expect(run.output).not.toMatch(/installing eBPF toolchain|apt-get (update|install)|building Helm|installing PostgreSQL|node-linux|make -C bpf|network namespaces named|starting the node agent/);
    expect(run.output).toMatch(/replayed 8 recorded flow observations/);
    expect(statusColumns(run.output)).toEqual(['6', '7']);
    expect(run.output).toMatch(/the playground ran as expected/);
    await expectNothingLeft(run);
    expect(processesOfNobody()).toEqual([]);
    expect(tempEntriesOfNobody()).toEqual(before);
  }, 600_000);
});
