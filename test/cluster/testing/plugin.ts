/**
 * `kubectl kguardian ...` as a user runs it: kubectl finds the plugin of this checkout on PATH
 * (bin/kubectl-kguardian), which opens its own port-forward to the broker pod (no --broker-url).
 */
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { REPO_ROOT } from '../../../playground/paths.js';
import type { Cluster } from './cluster.js';

/** A plugin command started in the background: what it printed so far, and its exit. */
export interface PluginRun {
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the command ended. */
  exited: Promise<number>;
  /** The exit code, or undefined while it runs. */
  exitCode(): number | undefined;
  /** Sends the command a signal (SIGINT: Ctrl-C). */
  kill(signal: NodeJS.Signals): void;
}

/** `extraEnv`: more environment for the command (BROWSER for `ui --open`). */
export function startPlugin(cluster: Cluster, kubeconfig: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): PluginRun {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, KUBECONFIG: kubeconfig, PATH: `${REPO_ROOT}bin${delimiter}${process.env.PATH ?? ''}` };
  delete env.KGUARDIAN_BROKER_URL;
  const child = spawn(cluster.env.KUBECTL, ['kguardian', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let code: number | undefined;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => {
      code = c ?? -1;
      resolve(code);
    });
  });
  return { stdout: () => out, stderr: () => err, exited, exitCode: () => code, kill: (signal) => { child.kill(signal); } };
}

/** Runs a plugin command to its end; resolves with its stdout, rejects with its stderr when it fails. */
export async function plugin(cluster: Cluster, kubeconfig: string, args: readonly string[]): Promise<string> {
  const run = startPlugin(cluster, kubeconfig, args);
  const code = await run.exited;
  if (code !== 0) throw new Error(`kubectl kguardian ${args.join(' ')} exited ${String(code)}: ${run.stderr().trim()}`);
  return run.stdout();
}
