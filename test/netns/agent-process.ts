/**
 * The real node agent (daemons/agent/main.ts) as its own process, for kernel and end-to-end
 * tests: started with its environment, ready once kg-loader has attached, its /metrics readable,
 * its log kept, and stopped with SIGTERM (it flushes and ships what it holds before exiting).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { KG_LOADER, REPO_ROOT } from './paths.js';

export interface AgentProcessOptions {
  node: string;
  brokerUrl: string;
  metricsPort: number;
  /** Kubeconfig for the Pod informer; without it the informer retries and identity is unknown. */
  kubeconfig?: string;
  /** Defaults to a file that does not exist (no bearer token: a broker with AUTH_MODE=none). */
  tokenFile?: string;
  loaderArgs?: string[];
  bucketMs?: number;
  env?: Record<string, string>;
}

export class AgentProcess {
  private readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessByStdio<null, Readable, Readable>, private readonly metricsUrl: string) {
    createInterface({ input: child.stderr }).on('line', (l) => this.lines.push(l));
    this.exited = new Promise((resolve) => child.once('close', resolve));
  }

  /** Starts the agent; resolves once kg-loader reports it attached. */
  static async start(o: AgentProcessOptions): Promise<AgentProcess> {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      KG_NODE_NAME: o.node,
      KG_BROKER_URL: o.brokerUrl,
      KG_METRICS_PORT: String(o.metricsPort),
      KG_TOKEN_FILE: o.tokenFile ?? '/nonexistent/kguardian-token',
      KG_LOADER: KG_LOADER,
      KG_LOADER_ARGS: (o.loaderArgs ?? ['--flush-ms', '200']).join(','),
      KG_BUCKET_MS: String(o.bucketMs ?? 1000),
      ...(o.kubeconfig ? { KUBECONFIG: o.kubeconfig } : {}),
      ...o.env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'daemons/agent/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const agent = new AgentProcess(child, `http://127.0.0.1:${o.metricsPort}/metrics`);
    // Starting takes a while on a busy machine (tsx compiles the agent, the verifier checks every
    // program): the bound is only for a loader that never attaches.
    await agent.waitFor('kg-loader to attach', () => agent.lines.some((l) => l.includes('kg-loader: attached')), 120_000);
    return agent;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Everything the agent (and kg-loader through it) wrote to stderr. */
  log(): string {
    return this.lines.join('\n');
  }

  /** One metric's value from /metrics (undefined if absent or unreachable). */
  async metric(name: string): Promise<number | undefined> {
    try {
      const text = await (await fetch(this.metricsUrl)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.slice(name.length + 1)) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Polls `check` until true; fails early, with the agent's log, if the agent exits. */
  async waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (this.child.exitCode !== null) throw new Error(`the agent exited (${this.child.exitCode}) while waiting for ${what}:\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; agent log:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM (flush, ship, exit); SIGKILL after `graceMs`, by default the 30 s a Kubernetes pod
   * is given (terminationGracePeriodSeconds): the bound the agent really has to exit within.
   * Resolves with the exit code. */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
