/**
 * Completion through the real shells and the real kubectl: bash sources the script and asks
 * the dev launcher (bin/kubectl-kguardian) for candidates; zsh (interactive, on a pseudo-terminal,
 * driven by zle-complete.zsh) completes lines on Tab with the script sourced or installed in
 * $fpath; kubectl's own `__complete` finds bin/kubectl_complete-kguardian on PATH (a checkout's
 * bin/ is all a developer puts there), as it finds the released one for users.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { ANP } from '../kube/objects.js';
import { createAudit } from '../testing/test-cluster.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
// Only the checkout's bin/: kubectl must find kubectl_complete-kguardian there, as a developer's PATH has it.
const PATH = [join(ROOT, 'bin'), process.env.PATH ?? ''].join(delimiter);
// Loading the client library from source on a busy test machine can take longer than the 5 s default.
const env = { ...process.env, PATH, KGUARDIAN_COMPLETION_TIMEOUT_MS: '60000' };

describe('shell completion', () => {
  // Under a zsh login shell (SHELL=zsh) yargs answers "name:description": bash must not get those.
  it.each(['/bin/bash', '/usr/bin/zsh'])('bash completes subcommands through the sourced script (SHELL=%s)', async (shell) => {
    const script = 'source <(kubectl-kguardian completion bash); COMP_WORDS=(kubectl-kguardian audit pro); COMP_CWORD=2; _kubectl_kguardian_complete; printf "%s\\n" "${COMPREPLY[@]}"';
    const { stdout } = await run('bash', ['-c', script], { env: { ...env, SHELL: shell } });
    expect(stdout).toBe('promote\npromote-cluster\n');
  });

  it('bash completes a flag\'s values and kubectl\'s flag names', async () => {
    const line = (words: string): string =>
      `source <(kubectl-kguardian completion bash); COMP_WORDS=(kubectl-kguardian ${words}); COMP_CWORD=\${#COMP_WORDS[@]}; COMP_CWORD=$((COMP_CWORD-1)); _kubectl_kguardian_complete; printf "%s\\n" "\${COMPREPLY[@]}"`;
    expect((await run('bash', ['-c', line("verdicts --verdict ''")], { env })).stdout).toBe('WouldDeny\nAllow\n');
    expect((await run('bash', ['-c', line('verdicts --wa')], { env })).stdout).toBe('--watch\n');
  });

  describe('zsh, typing Tab', () => {
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kg-zsh-'));
      writeFileSync(join(dir, '_kubectl-kguardian'), (await run('kubectl-kguardian', ['completion', 'zsh'], { env })).stdout);
    }, 60_000);
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    // Each line as typed, then what Tab leaves: unique matches completed with a space, the
    // common prefix of several, nothing for no match; descriptions never reach the line.
    const LINES: readonly [typed: string, completed: string][] = [
      ['kubectl-kguardian au', 'kubectl-kguardian audit '],
      ['kubectl-kguardian audit promote-c', 'kubectl-kguardian audit promote-cluster '],
      ['kubectl-kguardian audit pro', 'kubectl-kguardian audit promote'],
      ['kubectl-kguardian audit promote x --min', 'kubectl-kguardian audit promote x --min-quiet '],
      ['kubectl-kguardian zz', 'kubectl-kguardian zz'],
      // A flag's values, not more flags; long flags by their kubectl names.
      ['kubectl-kguardian verdicts --verdict W', 'kubectl-kguardian verdicts --verdict WouldDeny '],
      ['kubectl-kguardian verdicts --all-n', 'kubectl-kguardian verdicts --all-namespaces '],
    ];
    it.each([
      { how: 'sourced', setup: () => 'autoload -Uz compinit; compinit -u -D; source <(kubectl-kguardian completion zsh)' },
      // Two rounds: the first Tab autoloads the file, the later ones call what it defined.
      { how: 'installed in $fpath', setup: () => `fpath=(${dir} $fpath); autoload -Uz compinit; compinit -u -D` },
    ])('$how', async ({ setup }) => {
      const out = join(dir, 'lines');
      rmSync(out, { force: true });
      const lines = [...LINES, ...LINES];
      await run('zsh', ['-f', join(import.meta.dirname, 'zle-complete.zsh'), out, setup(), ...lines.map(([typed]) => typed)], { env: { ...env, SHELL: '/usr/bin/zsh', HOME: dir } });
      expect(readFileSync(out, 'utf8')).toBe(lines.map(([, completed]) => `${completed}\n`).join(''));
    }, 240_000);
  });

  it.each([
    { words: ['audit', 'pro'], out: 'promote\npromote-cluster\n:4\n' },
    { words: ['verdicts', '--verdict', ''], out: 'WouldDeny\nAllow\n:4\n' },
    { words: ['verdicts', '--direction', ''], out: 'Ingress\nEgress\n:4\n' },
    { words: ['verdicts', '-o', 'y'], out: 'yaml\n:4\n' },
    { words: ['verdicts', '--all'], out: '--all-namespaces\n--all-generations\n:4\n' },
    { words: ['audit', 'test', '-f', ''], out: ':0\n' },
  ])('kubectl completes `kubectl kguardian $words` through bin/kubectl_complete-kguardian', async ({ words, out }) => {
    const { stdout } = await run(inject('kubectl'), ['__complete', 'kguardian', ...words], { env });
    expect(stdout).toBe(out);
  }, 60_000);

  describe('policy names from the cluster', () => {
    let ns: string;

    beforeAll(async () => {
      const kc = kubeConfig();
      await installCrds(kc);
      ns = await createTestNamespace(kc, 'complete');
      for (const name of ['payments', 'ledger']) await createAudit(kc, ANP, { metadata: { name, namespace: ns }, spec: { podSelector: {} } });
    });

    it.each([
      { words: ['describe', ''], out: 'kgacnp\nkganp\nledger\npayments\n:4\n' },
      { words: ['audit', 'promote', 'pa'], out: 'payments\n:4\n' },
      // A name is already there: no more names.
      { words: ['audit', 'promote', 'payments', ''], out: ':4\n' },
    ])('kubectl __complete kguardian $words', async ({ words, out }) => {
      const args = ['__complete', 'kguardian', '--kubeconfig', kubeconfigPath(), '-n', ns, ...words];
      const { stdout } = await run(inject('kubectl'), args, { env });
      expect(stdout).toBe(out);
    }, 90_000);
  });
});
