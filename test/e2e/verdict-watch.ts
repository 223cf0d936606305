/**
 * `kubectl kguardian verdicts --watch -o json` as a user runs it, in its own process: every JSON
 * line it prints is kept with the time it arrived, so a test can wait for rows and measure how
 * long a connection took to show up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter } from 'node:path';
import { createInterface } from 'node:readline';
import type { StoredVerdict } from '../../daemons/broker/store/types.js';
import { REPO_ROOT } from '../../playground/paths.js';

export interface Arrival {
  verdict: StoredVerdict;
  at: number;
}

export class VerdictWatch {
  readonly arrivals: Arrival[] = [];
  private stderr = '';
  private readonly child: ChildProcess;

  constructor(kubectl: string, kubeconfig: string, args: readonly string[]) {
    const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${REPO_ROOT}bin${delimiter}${process.env.PATH ?? ''}` };
    this.child = spawn(kubectl, ['kguardian', 'verdicts', '--watch', '-o', 'json', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const at = Date.now();
      if (line.startsWith('{')) this.arrivals.push({ verdict: JSON.parse(line) as StoredVerdict, at });
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  async waitFor(what: string, check: (rows: readonly Arrival[]) => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.arrivals)) {
      if (this.child.exitCode !== null) throw new Error(`verdicts --watch exited ${this.child.exitCode} while waiting for ${what}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} in verdicts --watch (${this.arrivals.length} rows); stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
