/**
 * Vitest global setup for the integration project: starts one test control plane (a real
 * kube-apiserver, see docs/controlplane.md) before any test file runs and stops it after the
 * last. Tests read the admin kubeconfig's path with inject('kubeconfig') and the matching
 * kubectl with inject('kubectl'); test/kube/ wraps both.
 *
 * KG_KUBECONFIG (and optionally KG_KUBECTL) reuse a control plane started by hand with
 * `bash scripts/controlplane.sh start`, which saves its start-up on every run.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
    // controlplane.sh leaves its kubectl beside the kubeconfig.
    const beside = join(dirname(reuse), 'kubectl');
    project.provide('kubectl', process.env.KG_KUBECTL ?? (existsSync(beside) ? beside : 'kubectl'));
    return async function keepControlPlane(): Promise<void> {
      // Started by hand: stopped by hand.
    };
  }

  const dir = await mkdtemp(join(tmpdir(), 'kg-controlplane-'));
  let kubeconfig: string;
  try {
    // Tied to this process, so a killed test run does not leave it behind.
    kubeconfig = await start(['--dir', dir, '--exit-with-pid', String(process.pid)]);
  } catch (error) {
    await run('bash', [SCRIPT, 'stop', '--dir', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  project.provide('kubeconfig', kubeconfig);
  project.provide('kubectl', join(dir, 'kubectl'));

  return async function stopControlPlane(): Promise<void> {
    await run('bash', [SCRIPT, 'stop', '--dir', dir]);
  };
}

/** Runs `controlplane.sh start`, its progress (a first build) on this terminal; returns the kubeconfig path. */
function start(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, 'start', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const kubeconfig = stdout.trim().split('\n').at(-1);
      if (code === 0 && kubeconfig) resolve(kubeconfig);
      else reject(new Error(`scripts/controlplane.sh start failed (exit ${code ?? 'signal'})`));
    });
  });
}
