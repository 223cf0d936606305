/**
 * The test control plane as the tests see it: a KubeConfig loaded from the kubeconfig the
 * global setup provides, and kubectl (of the server's release) run against it, for tests
 * that check what a user sees.
 */
import { execFile } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

export function kubeconfigPath(): string {
  return inject('kubeconfig');
}

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  /** The exit code; 0 on success. */
  code: number;
}

/** Runs kubectl with the test kubeconfig; never throws on a non-zero exit. */
export function kubectl(args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      inject('kubectl'),
      ['--kubeconfig', kubeconfigPath(), ...args],
      { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`failed to run kubectl: ${error.message}`));
          return;
        }
        resolve({ stdout, stderr, code: typeof error?.code === 'number' ? error.code : 0 });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
