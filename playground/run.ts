/** Runs a command to completion: its stdout, or an error naming the command and its stderr. */
import { execFile } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Never throws on a non-zero exit: the caller decides what a failure means. */
export function runCommand(cmd: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, [...args], { maxBuffer: 32 << 20, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      if (err && code === -1 && !err.killed) reject(new Error(`failed to run ${cmd}: ${err.message}`));
      else resolve({ stdout, stderr, code });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like runCommand, but a non-zero exit is an error carrying the command and its stderr. */
export async function run(cmd: string, args: readonly string[]): Promise<string> {
  const r = await runCommand(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}
