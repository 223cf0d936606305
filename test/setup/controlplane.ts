/**
 * Vitest global setup for the integration project: starts one test control plane (a real
 * kube-apiserver, see docs/controlplane.md) before any test file runs and stops it after the
 * last. Tests read the admin kubeconfig's path with inject('kubeconfig') and the matching
 * kubectl with inject('kubectl'); test/kube/ wraps both.
 *
 * KG_KUBECONFIG and KG_KUBECTL reuse a control plane started by hand
 * (`bash scripts/controlplane.sh start`), which saves its start-up on every run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the admin kubeconfig of the test control plane. */
    kubeconfig: string;
    /** Path of a kubectl of the API server's release. */
    kubectl: string;
  }
}

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'controlplane.sh');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.KG_KUBECONFIG;
  if (reuse) {
    project.provide('kubeconfig', reuse);
    project.provide('kubectl', process.env.KG_KUBECTL ?? 'kubectl');
    return async function keepControlPlane(): Promise<void> {
      // Started by hand: stopped by hand.
    };
  }

  const dir = await mkdtemp(join(tmpdir(), 'kg-controlplane-'));
  // The child is tied to this process, so a killed test run does not leave it behind.
  const { stdout } = await run('bash', [SCRIPT, 'start', '--dir', dir, '--exit-with-pid', String(process.pid)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const kubeconfig = stdout.trim().split('\n').at(-1) ?? '';
  project.provide('kubeconfig', kubeconfig);
  project.provide('kubectl', join(dir, 'kubectl'));

  return async function stopControlPlane(): Promise<void> {
    await run('bash', [SCRIPT, 'stop', '--dir', dir]);
  };
}
