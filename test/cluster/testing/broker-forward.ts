/**
 * `kubectl port-forward` to the broker's Service, as docs/install.md's "Network policies" section
 * tells users to reach it, for tests that read the broker's API directly (GET /v1/flows).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Cluster } from './cluster.js';

export interface BrokerForward {
  url: string;
  stop(): void;
}

export async function forwardBroker(cluster: Cluster, kubeconfig = cluster.env.KUBECONFIG): Promise<BrokerForward> {
  const child: ChildProcess = spawn(cluster.env.KUBECTL, ['--kubeconfig', kubeconfig, '-n', 'kguardian', 'port-forward', 'svc/kguardian-broker', ':9090'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    // "Forwarding from 127.0.0.1:PORT -> 9090"
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^Forwarding from 127\.0\.0\.1:(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => { reject(new Error(`kubectl port-forward to the broker exited ${code}: ${stderr.trim()}`)); });
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => { child.kill('SIGTERM'); } };
}
