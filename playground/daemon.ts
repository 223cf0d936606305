/**
 * One process the playground started (a daemon or a traffic server): its output kept in a log
 * file and in memory, readiness polled, and a stop that sends SIGTERM, then SIGKILL after a
 * grace period. Registered in the Cleanup as soon as it is spawned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Cleanup } from './cleanup.js';
import { REPO_ROOT } from './paths.js';

export interface DaemonSpec {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  /** Variables of our own environment the child must not inherit. */
  unset?: string[];
  logFile: string;
}

export class Daemon {
  readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(readonly name: string, readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('close', (code) => { resolve(code); }));
  }

  static spawn(spec: DaemonSpec, cleanup: Cleanup): Daemon {
    const unset = new Set(spec.unset ?? []);
    const env = Object.fromEntries(Object.entries({ ...process.env, ...spec.env }).filter(([k]) => !unset.has(k)));
    const child = spawn(spec.cmd, spec.args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const d = new Daemon(spec.name, child);
    const file = createWriteStream(spec.logFile);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (l) => {
        d.lines.push(l);
        if (d.lines.length > 5000) d.lines.splice(0, 1000);
        file.write(`${l}\n`);
      });
    }
    void d.exited.then(() => file.end());
    cleanup.add(`stop ${spec.name} (pid ${child.pid ?? '?'})`, () => d.stop().then(() => undefined));
    return d;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(n = 30): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Polls `check` until true; fails with the process's last lines if it exits or time runs out. */
  async waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await Promise.resolve().then(check).catch(() => false))) {
      if (!this.running) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for ${what}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${this.name} said:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(graceMs = 10_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** True once GET url answers 200. */
export async function answers(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return r.status === 200;
}
