/**
 * Runs the plugin (bin/kubectl-kguardian, from source) as a child process whose standard output
 * is a real pipe that the test closes, as `| true` or `| head -1` would: at once, or after the
 * first line. Resolves with how the child ended and what it wrote to standard error.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const LAUNCHER = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-kguardian');

export interface PipeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The first line read before closing ('' when closed at once). */
  firstLine: string;
}

export interface PipeOptions {
  /** 'start': the reader is gone before the plugin writes (`| true`); 'first-line': `| head -1`. */
  close: 'start' | 'first-line';
  env?: NodeJS.ProcessEnv;
  /** Called once the first line is read (the pipe is already closed): make the plugin write again. */
  afterFirstLine?: () => Promise<void>;
}

export function runWithClosedPipe(args: readonly string[], opts: PipeOptions): Promise<PipeRun> {
  const child = spawn(LAUNCHER, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stderr = '';
  let firstLine = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // Closing our end of the pipe is what a reader exiting does: the plugin's next write gets EPIPE.
  if (opts.close === 'start') child.stdout.destroy();
  else {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      buffered += s;
      const nl = buffered.indexOf('\n');
      if (nl < 0 || child.stdout.destroyed) return;
      firstLine = buffered.slice(0, nl);
      child.stdout.destroy();
      void opts.afterFirstLine?.();
    });
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stderr, firstLine });
    });
  });
}
