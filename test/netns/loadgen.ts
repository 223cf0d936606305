/**
 * Drives kg-loadgen (test/netns/loadgen/, native C) inside the lab's pods: `loadgen()` runs a
 * client to completion and returns its JSON summary; `LoadgenServer.start()` starts a server,
 * resolves when it listens, and `stop()` sends SIGTERM and returns its totals. Servers are also
 * killed by lab.destroy(), so a failing benchmark or test never leaves one behind.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LabPod, NetnsLab } from './lab.js';
import { run } from './run.js';
import { REPO_ROOT } from './paths.js';

export const LOADGEN_DIR = `${REPO_ROOT}test/netns/loadgen`;
export const KG_LOADGEN = `${LOADGEN_DIR}/build/kg-loadgen`;

/** Summary of `kg-loadgen tcp-rate`. */
export interface TcpRateResult {
  established: number;
  refused: number;
  failed: number;
  seconds: number;
  /** Times a thread fell behind its schedule because 4,096 handshakes were pending. */
  stalls: number;
}

/** Summary of `kg-loadgen udp-rate`. */
export interface UdpRateResult {
  localPort: number;
  sent: number;
  seconds: number;
}

/** Builds kg-loadgen if its sources changed (make). */
export async function buildLoadgen(): Promise<void> {
  await run('make', ['-s', '-C', LOADGEN_DIR]);
}

/** The command line that runs kg-loadgen in `pod`, pinned to `cpus` (a taskset list) if given. */
function commandLine(pod: LabPod, args: readonly (string | number)[], cpus?: string): string[] {
  return [...(cpus ? ['taskset', '-c', cpus] : []), 'ip', 'netns', 'exec', pod.netns, KG_LOADGEN, ...args.map(String)];
}

/** The last line of a kg-loadgen output, parsed; the caller names the shape it expects. */
function lastJson(out: string): unknown {
  return JSON.parse(out.trim().split('\n').pop() ?? '');
}

/** Runs a kg-loadgen client command in `pod` to completion. */
export async function loadgen<T>(pod: LabPod, args: readonly (string | number)[], cpus?: string): Promise<T> {
  const [cmd, ...rest] = commandLine(pod, args, cpus);
  return lastJson(await run(cmd!, rest)) as T;
}

export class LoadgenServer {
  private readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessByStdio<null, Readable, Readable>, private readonly what: string) {
    createInterface({ input: child.stdout }).on('line', (line) => this.lines.push(line));
    this.exited = new Promise((resolve) => child.once('close', resolve));
  }

  /** Starts `kg-loadgen tcp-server|udp-sink ...` in `pod`; resolves once it listens. */
  static async start(lab: NetnsLab, pod: LabPod, args: readonly (string | number)[], cpus?: string): Promise<LoadgenServer> {
    const [cmd, ...rest] = commandLine(pod, args, cpus);
    const child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new LoadgenServer(child, `kg-loadgen ${args.join(' ')} in ${pod.name}`);
    lab.onDestroy(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await server.exited;
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (server.lines.length === 0) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${server.what} did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return server;
  }

  /** SIGTERM, then the server's closing totals ({"accepted":N} or {"received":N}). */
  async stop<T>(): Promise<T> {
    this.child.kill('SIGTERM');
    const code = await this.exited;
    if (code !== 0) throw new Error(`${this.what} exited ${code}`);
    return lastJson(this.lines.join('\n')) as T;
  }
}
