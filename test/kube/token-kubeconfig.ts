/**
 * A kubeconfig that acts as a ServiceAccount: the test API server's address and CA, and a bearer
 * token as the only credential (no client certificate), as a pod's or a user's kubeconfig would be.
 */
import { writeFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

/** Writes to `file` a kubeconfig for kc's cluster whose user is `token`, defaulting to `namespace`; returns `file`. */
export function tokenKubeconfig(kc: KubeConfig, file: string, token: string, namespace: string): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no cluster');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
      users: [{ name: 'sa', user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'sa', namespace } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  );
  return file;
}
