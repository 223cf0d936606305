/**
 * The test control plane (scripts/controlplane.sh: a real kube-apiserver on loopback) started for
 * the playground in its own folder, tied to this process so it cannot outlive it, and stopped by
 * the Cleanup. Its first build takes minutes; the script prints its progress on our stderr.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { withProgress } from './log.js';
import { CONTROLPLANE_SH } from './paths.js';
import { runCommand } from './run.js';

export interface ControlPlaneHandle {
  kubeconfig: string;
  kubectl: string;
}

export async function startControlPlane(dir: string, cleanup: Cleanup): Promise<ControlPlaneHandle> {
  cleanup.add('stop the control plane', async () => {
    await runCommand('bash', [CONTROLPLANE_SH, 'stop', '--dir', dir]);
  });
  const kubeconfig = await withProgress('starting the control plane (the first run builds kube-apiserver)', scriptStart(dir));
  return { kubeconfig, kubectl: join(dir, 'kubectl') };
}

function scriptStart(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CONTROLPLANE_SH, 'start', '--dir', dir, '--exit-with-pid', String(process.pid)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const kubeconfig = out.trim().split('\n').at(-1);
      if (code === 0 && kubeconfig) resolve(kubeconfig);
      else reject(new Error(`scripts/controlplane.sh start exited ${code}`));
    });
  });
}
