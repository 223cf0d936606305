/**
 * A throwaway test control plane (a real kube-apiserver, scripts/controlplane.sh) for tests
 * outside the integration project, e.g. kernel tests that need the agent's Pod informer. Tied to
 * this process: if the test run is killed, the control plane exits with it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { REPO_ROOT } from './paths.js';
import { run } from './run.js';

const SCRIPT = `${REPO_ROOT}scripts/controlplane.sh`;

export interface ControlPlane {
  kubeconfig: string;
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
}

export async function startControlPlane(): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-netns-cp-'));
  const stop = async (): Promise<void> => {
    await run('bash', [SCRIPT, 'stop', '--dir', dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('bash', [SCRIPT, 'start', '--dir', dir, '--exit-with-pid', String(process.pid)], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`scripts/controlplane.sh start failed: ${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
    const kubeconfig = out.trim().split('\n').at(-1) ?? '';
    return {
      kubeconfig,
      kubeConfig: (): KubeConfig => {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfig);
        return kc;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
