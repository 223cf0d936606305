/**
 * A private containerd for the image tests: its root, state and sockets in a temporary folder (no
 * CRI networking, nothing in /etc or /run), stopped and removed by stop(). Images imported into it
 * are read back with ctr.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface Containerd {
  socket: string;
  /** `ctr -a SOCKET -n k8s.io ARGS`, its stdout. */
  ctr(args: string[]): string;
  stop(): Promise<void>;
}

export async function startContainerd(): Promise<Containerd> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-containerd-'));
  const socket = join(dir, 'containerd.sock');
  writeFileSync(join(dir, 'config.toml'), [
    'version = 2',
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    '[grpc]',
    `  address = "${socket}"`,
    '[ttrpc]',
    `  address = "${dir}/containerd-ttrpc.sock"`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '',
  ].join('\n'));
  const log = openSync(join(dir, 'containerd.log'), 'a');
  const proc: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', log, log] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => { resolve(); }));
  let gone = false;
  void exited.then(() => { gone = true; });
  const ctr = (args: string[]): string => execFileSync('ctr', ['-a', socket, '-n', 'k8s.io', ...args], { encoding: 'utf8' });
  // containerd answers once its socket exists and `ctr version` reaches the server.
  for (let tries = 0; ; tries++) {
    if (tries === 600) throw new Error(`containerd did not answer on ${socket}: ${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-2000)}`);
    if (gone) throw new Error(`containerd exited at start: ${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-2000)}`);
    if (existsSync(socket)) {
      try {
        execFileSync('ctr', ['-a', socket, 'version'], { stdio: 'pipe', timeout: 10_000 });
        break;
      } catch {
        // not serving yet
      }
    }
    await delay(100);
  }
  return {
    socket,
    ctr,
    async stop() {
      if (!gone) {
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
