/**
 * The playground's "pods": one network namespace each, a veth into one bridge, an IPv4 address in
 * 10.X.Y.0/24 (default 10.252.Y, away from test/netns's 10.250 so a kernel test running at the
 * same time never shares an address). Every namespace and link is registered in the Cleanup the
 * moment it exists.
 */
import { randomBytes } from 'node:crypto';
import type { Cleanup } from './cleanup.js';
import { run } from './run.js';

/** The playground's pods' /24 (10.252.7.0/24), apart from the kernel tests, the e2e stack and the real cluster. */
export const PLAYGROUND_SUBNET = '10.252.7';

export interface NetnsPod {
  name: string;
  netns: string;
  ip: string;
}

export class NetnsLab {
  readonly prefix = `kgp${randomBytes(2).toString('hex')}`;
  readonly bridge: string;
  readonly gateway: string;
  private next = 2;

  constructor(private readonly cleanup: Cleanup, readonly subnet: string) {
    this.bridge = `${this.prefix}br`;
    this.gateway = `${subnet}.1`;
  }

  async up(): Promise<void> {
    await run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    this.cleanup.add(`delete bridge ${this.bridge}`, async () => {
      await run('ip', ['link', 'del', this.bridge]);
    });
    await run('ip', ['addr', 'add', `${this.gateway}/24`, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
  }

  async addPod(name: string): Promise<NetnsPod> {
    const index = this.next++;
    const pod: NetnsPod = { name, netns: `${this.prefix}-${name}`, ip: `${this.subnet}.${index}` };
    const hostIf = `${this.prefix}h${index}`;
    await run('ip', ['netns', 'add', pod.netns]);
    this.cleanup.add(`delete network namespace ${pod.netns}`, async () => {
      await run('ip', ['netns', 'del', pod.netns]);
    });
    await run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns]);
    // The veth usually goes with its namespace; this removes it if the namespace is already gone.
    this.cleanup.add(`delete link ${hostIf}`, async () => {
      await run('ip', ['link', 'del', hostIf]).catch(() => undefined);
    });
    for (const args of [
      ['link', 'set', hostIf, 'master', this.bridge, 'up'],
      ['-n', pod.netns, 'link', 'set', 'lo', 'up'],
      ['-n', pod.netns, 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0'],
      ['-n', pod.netns, 'link', 'set', 'eth0', 'up'],
      ['-n', pod.netns, 'route', 'add', 'default', 'via', this.gateway],
    ]) await run('ip', args);
    return pod;
  }
}
