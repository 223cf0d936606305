/**
 * Runs commands for the netns harness: a promise for a command's output, with the failing
 * command and its stderr in the error so a broken setup step says what broke.
 */
import { execFile } from 'node:child_process';

export async function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`failed to run ${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Runs `ip` with each argument list in order. */
export async function ip(...lines: (readonly string[])[]): Promise<void> {
  for (const line of lines) await run('ip', line);
}
