/**
 * Completion through the real shells and the real kubectl: bash sources the script and asks
 * the dev launcher (bin/kubectl-kguardian) for candidates; kubectl's own `__complete`
 * finds plugin/completion/kubectl_complete-kguardian on PATH, as it does for users.
 */
import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { ANP } from '../kube/objects.js';
import { createAudit } from '../kube/test-cluster.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const PATH = [join(ROOT, 'bin'), join(ROOT, 'plugin', 'completion'), process.env.PATH ?? ''].join(delimiter);
// Loading the client library from source on a busy test machine can take longer than the 5 s default.
const env = { ...process.env, PATH, KGUARDIAN_COMPLETION_TIMEOUT_MS: '60000' };

describe('shell completion', () => {
  it('bash completes subcommands through the sourced script', async () => {
    const script = 'source <(kubectl-kguardian completion bash); COMP_WORDS=(kubectl-kguardian audit pro); COMP_CWORD=2; _kubectl_kguardian_complete; printf "%s\\n" "${COMPREPLY[@]}"';
    const { stdout } = await run('bash', ['-c', script], { env });
    expect(stdout).toBe('promote\npromote-cluster\n');
  });

  it('kubectl completes `kubectl kguardian ...` through kubectl_complete-kguardian', async () => {
    const { stdout } = await run(inject('kubectl'), ['__complete', 'kguardian', 'audit', 'pro'], { env });
    expect(stdout).toBe('promote\npromote-cluster\n:4\n');
  });

  describe('policy names from the cluster', () => {
    let ns: string;

    beforeAll(async () => {
      const kc = kubeConfig();
      await installCrds(kc);
      ns = await createTestNamespace(kc, 'complete');
      for (const name of ['payments', 'ledger']) await createAudit(kc, ANP, { metadata: { name, namespace: ns }, spec: { podSelector: {} } });
    });

    it.each([
      { words: ['describe', ''], out: 'acnp\nanp\nledger\npayments\n:4\n' },
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
