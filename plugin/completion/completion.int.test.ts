/**
 * Completion through the real shells and the real kubectl: bash sources the script and asks
 * the dev launcher (bin/kubectl-kguardian) for candidates; kubectl's own `__complete`
 * finds plugin/completion/kubectl_complete-kguardian on PATH, as it does for users.
 */
import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const PATH = [join(ROOT, 'bin'), join(ROOT, 'plugin', 'completion'), process.env.PATH ?? ''].join(delimiter);

describe('shell completion', () => {
  it('bash completes subcommands through the sourced script', async () => {
    const script = 'source <(kubectl-kguardian completion bash); COMP_WORDS=(kubectl-kguardian audit pro); COMP_CWORD=2; _kubectl_kguardian_complete; printf "%s\\n" "${COMPREPLY[@]}"';
    const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, PATH } });
    expect(stdout).toBe('promote\npromote-cluster\n');
  });

  it('kubectl completes `kubectl kguardian ...` through kubectl_complete-kguardian', async () => {
    const { stdout } = await run(inject('kubectl'), ['__complete', 'kguardian', 'audit', 'pro'], { env: { ...process.env, PATH } });
    expect(stdout).toBe('promote\npromote-cluster\n:4\n');
  });
});
