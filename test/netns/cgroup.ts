/**
 * A throwaway cgroup v2 for kernel tests that must see only their own traffic: kg-loader's
 * cgroup_skb programs attach wherever `--cgroup` says, so a loader attached to this cgroup counts
 * the UDP of the processes started in it (`command()`) and nothing else on the machine, which
 * lets a test assert counters exactly while other tests run. destroy() kills what is left in it
 * and removes it; NetnsLab.onDestroy() can run it.
 */
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/** The first cgroup2 mount, as kg-loader's preflight finds it. */
function cgroup2Root(): string {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, dir, type] = line.split(' ');
    if (type === 'cgroup2' && dir) return dir;
  }
  throw new Error('no cgroup v2 mount in /proc/self/mounts (kernel tests need one: mount -t cgroup2 none /sys/fs/cgroup/unified)');
}

export class TestCgroup {
  private constructor(readonly path: string) {}

  static create(name: string): TestCgroup {
    const path = join(cgroup2Root(), name);
    mkdirSync(path);
    return new TestCgroup(path);
  }

  /** An argv that runs `argv` inside this cgroup (the shell moves itself in, then execs). */
  command(argv: readonly string[]): string[] {
    return ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', this.path, ...argv];
  }

  /** Kills every process still in the cgroup, waits for it to empty, removes it. */
  async destroy(): Promise<void> {
    const procs = (): number[] => readFileSync(join(this.path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    const deadline = Date.now() + 5000;
    for (let left = procs(); left.length > 0; left = procs()) {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (Date.now() > deadline) throw new Error(`cgroup ${this.path} still holds ${left.join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    rmdirSync(this.path);
  }
}
