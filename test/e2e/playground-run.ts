/**
 * The playground as a user runs it (node playground/main.ts ARGS, a process of its own), with
 * everything it prints kept, so a test can wait for a line, signal it, and then check that what
 * it said it made is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { leftovers } from '../../playground/leftovers.js';
import { REPO_ROOT } from '../../playground/paths.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export interface PlaygroundCommand {
  cmd: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface Made {
  prefix?: string;
  runDir?: string;
  pids: number[];
  apiServer?: string;
  programs: number[];
}

export class PlaygroundRun {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  /** `command` runs the playground some other way (scripts/playground.sh, as another user); ARGS follow it. */
  constructor(args: readonly string[], command: PlaygroundCommand = { cmd: process.execPath, args: ['--import', 'tsx', 'playground/main.ts'] }) {
    this.child = spawn(command.cmd, [...command.args, ...args], { cwd: REPO_ROOT, env: command.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.child.stdout, this.child.stderr]) createInterface({ input: s! }).on('line', (l) => this.lines.push(l.replace(ANSI, '')));
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => { resolve(code ?? (signal ? -1 : null)); }));
  }

  get output(): string {
    return this.lines.join('\n');
  }

  async waitForLine(pattern: RegExp, timeoutMs = 270_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some((l) => pattern.test(l))) {
      if (this.child.exitCode !== null) throw new Error(`the playground exited ${this.child.exitCode} before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`the playground did not print ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  signal(s: NodeJS.Signals): void {
    this.child.kill(s);
  }

  /** Kills it outright (a test that failed half-way must not leave it running). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  /** What the playground reported it made: netns prefix, run folder, pids, API server URL, kg-loader's eBPF programs. */
  made(): Made {
    const o = this.output;
    return {
      programs: (/holds eBPF programs ([\d, ]+);/.exec(o)?.[1] ?? '').split(', ').filter(Boolean).map(Number),
      prefix: /network namespaces named (kgp[0-9a-f]+)-\*/.exec(o)?.[1],
      runDir: /run folder \(logs of every process\): (\S+)/.exec(o)?.[1],
      pids: [...o.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1])),
      apiServer: /control plane ready in \d+s: (https:\/\/\S+)/.exec(o)?.[1],
    };
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Netns, links, eBPF programs and extra tracefs mounts of the run still in the kernel. */
export async function kernelLeftovers(made: Made, tracefsBefore: number): Promise<string[]> {
  return made.prefix ? leftovers({ prefix: made.prefix, programs: made.programs, tracefsBefore }) : ['(no netns prefix printed)'];
}

export async function answers(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  try {
    await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch (err) {
    // A TLS complaint (self-signed) still means something is listening.
    return !/ECONNREFUSED/.test(String((err as { cause?: unknown }).cause ?? err));
  }
}

/** The run folder is gone, no process it reported lives, its API server no longer answers, no cleanup failed. */
export async function expectNothingLeft(run: PlaygroundRun): Promise<void> {
  const made = run.made();
  expect(made.runDir).toBeDefined();
  expect(existsSync(made.runDir ?? '')).toBe(false);
  expect(made.pids.filter(alive)).toEqual([]);
  expect(await answers(made.apiServer)).toBe(false);
  expect(run.output).not.toMatch(/cleanup failed/);
}

/** The WOULD-DENY and ALLOWED columns of payments-isolation in the printed `kubectl get kganp -o wide`. */
export function statusColumns(output: string): string[] {
  const lines = output.split('\n');
  const header = lines.findIndex((l) => /^\s+NAME\s+POD-SELECTOR\s+WOULD-DENY/.test(l));
  const row = lines.slice(header + 1).find((l) => /^\s+payments-isolation\s/.test(l)) ?? '';
  return row.trim().split(/\s{2,}/).slice(2, 4);
}
