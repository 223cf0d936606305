/**
 * A throwaway "cluster node" for kernel tests: each pod is a network namespace with one veth
 * into a shared bridge, an IPv4 address in 10.250.X.0/24 and an IPv6 address in
 * fd00:4b47:0:X::/64, default routes through the bridge (so traffic to a virtual ClusterIP is
 * routed, and DNAT-ed, in the root namespace as kube-proxy does). Names carry a per-run prefix so
 * concurrent runs never collide, and destroy() removes everything this lab made, even after a
 * failed test. Processes started with `ip netns exec` stay in the root cgroup, which is where
 * kg-loader attaches its cgroup_skb programs.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ip, run } from './run.js';
import { REPO_ROOT } from './paths.js';

export interface LabPod {
  name: string;
  netns: string;
  /** Inode of the namespace, as the kernel reports it in TCP records. */
  netnsInode: number;
  ipv4: string;
  ipv6: string;
}

const TRAFFIC = `${REPO_ROOT}test/netns/traffic.ts`;

export class NetnsLab {
  readonly prefix: string;
  readonly subnet: number;
  readonly gateway4: string;
  readonly gateway6: string;
  readonly bridge: string;
  readonly pods: LabPod[] = [];
  private readonly children = new Set<ChildProcessByStdio<null, Readable, Readable>>();
  private readonly cleanups: (() => Promise<void>)[] = [];

  private constructor() {
    this.prefix = `kg${randomBytes(3).toString('hex')}`;
    this.subnet = 1 + randomBytes(1).readUInt8(0) % 250;
    this.gateway4 = `10.250.${this.subnet}.1`;
    this.gateway6 = `fd00:4b47:0:${this.subnet.toString(16)}::1`;
    this.bridge = `${this.prefix}br`;
  }

  static async create(): Promise<NetnsLab> {
    const lab = new NetnsLab();
    lab.cleanups.push(() => run('ip', ['link', 'del', lab.bridge]).then(() => undefined));
    await ip(
      ['link', 'add', lab.bridge, 'type', 'bridge'],
      ['addr', 'add', `${lab.gateway4}/24`, 'dev', lab.bridge],
      ['-6', 'addr', 'add', `${lab.gateway6}/64`, 'dev', lab.bridge, 'nodad'],
      ['link', 'set', lab.bridge, 'up'],
    );
    return lab;
  }

  /** True for an address inside this lab (pods, gateway). */
  owns(address: string): boolean {
    return address.startsWith(`10.250.${this.subnet}.`) || address.startsWith(`fd00:4b47:0:${this.subnet.toString(16)}:`);
  }

  /** The lab's two subnets (what `owns` accepts), e.g. to keep a query to the lab's own flows. */
  get cidrs(): [string, string] {
    return [`10.250.${this.subnet}.0/24`, `fd00:4b47:0:${this.subnet.toString(16)}::/64`];
  }

  async addPod(name: string): Promise<LabPod> {
    const index = this.pods.length + 2;
    const netns = `${this.prefix}-${name}`;
    const hostIf = `${this.prefix}h${index}`;
    const pod: LabPod = { name, netns, netnsInode: 0, ipv4: `10.250.${this.subnet}.${index}`, ipv6: `fd00:4b47:0:${this.subnet.toString(16)}::${index}` };
    await ip(['netns', 'add', netns]);
    this.cleanups.push(async () => {
      await run('ip', ['netns', 'del', netns]);
      await run('ip', ['link', 'del', hostIf]).catch(() => undefined); // usually gone with the netns
    });
    await ip(
      ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns],
      ['link', 'set', hostIf, 'master', this.bridge, 'up'],
      ['-n', netns, 'link', 'set', 'lo', 'up'],
      ['-n', netns, 'addr', 'add', `${pod.ipv4}/24`, 'dev', 'eth0'],
      ['-n', netns, '-6', 'addr', 'add', `${pod.ipv6}/64`, 'dev', 'eth0', 'nodad'],
      ['-n', netns, 'link', 'set', 'eth0', 'up'],
      ['-n', netns, 'route', 'add', 'default', 'via', this.gateway4],
      ['-n', netns, '-6', 'route', 'add', 'default', 'via', this.gateway6],
    );
    pod.netnsInode = statSync(`/run/netns/${netns}`).ino;
    this.pods.push(pod);
    return pod;
  }

  /** Runs a command inside a pod and returns its stdout. */
  async exec(pod: LabPod, cmd: string, args: readonly string[]): Promise<string> {
    return run('ip', ['netns', 'exec', pod.netns, cmd, ...args]);
  }

  /** Runs test/netns/traffic.ts in a pod to completion and parses its JSON summary. `cpus`
   * (a taskset list) keeps load generators off the cores a benchmark measures. */
  async traffic<T>(pod: LabPod, args: readonly (string | number)[], cpus?: string): Promise<T> {
    const cmd = [...(cpus ? ['taskset', '-c', cpus] : []), 'ip', 'netns', 'exec', pod.netns, process.execPath, '--import', 'tsx', TRAFFIC];
    const out = await run(cmd[0]!, [...cmd.slice(1), ...args.map(String)]);
    return JSON.parse(out.trim().split('\n').pop()!) as T;
  }

  /** Starts a long-running traffic.ts server in a pod; resolves once it prints its first line. */
  async serve(pod: LabPod, args: readonly (string | number)[], cpus?: string): Promise<void> {
    const cmd = [...(cpus ? ['taskset', '-c', cpus] : []), 'ip', 'netns', 'exec', pod.netns, process.execPath, '--import', 'tsx', TRAFFIC];
    const child = spawn(cmd[0]!, [...cmd.slice(1), ...args.map(String)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', () => {
        resolve();
      });
      child.once('exit', (code) => {
        reject(new Error(`traffic ${args.join(' ')} in ${pod.name} exited ${code}: ${stderr}`));
      });
    });
  }

  /** Registers an extra cleanup step (e.g. an iptables rule), run by destroy() in reverse order. */
  onDestroy(step: () => Promise<void>): void {
    this.cleanups.push(step);
  }

  /** Kills the servers and removes every namespace, link and rule this lab made. */
  async destroy(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    const errors: string[] = [];
    for (const step of this.cleanups.reverse()) {
      await step().catch((err: unknown) => errors.push(String(err)));
    }
    this.cleanups.length = 0;
    if (errors.length > 0) throw new Error(`netns lab cleanup: ${errors.join('; ')}`);
  }
}
