/**
 * A person as docs/install.md grants them access: a ServiceAccount (standing in for a user or
 * group of the cluster's identity provider) with the bindings the guide lists, and a kubeconfig
 * that authenticates with its token, so the plugin has a bearer token to send to the broker.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';

export interface Binding {
  /** Namespace of a RoleBinding; undefined makes a ClusterRoleBinding. */
  namespace?: string;
  /** 'ClusterRole/NAME' or 'Role/NAME'. */
  role: string;
}

/** Creates ServiceAccount `name` in `namespace` with `bindings`, writes its kubeconfig into `dir`, returns the path. */
export async function userKubeconfig(cluster: Cluster, dir: string, namespace: string, name: string, bindings: readonly Binding[]): Promise<string> {
  await cluster.kubectl(['-n', namespace, 'create', 'serviceaccount', name]);
  for (const [i, b] of bindings.entries()) {
    const [kind, role] = b.role.split('/') as [string, string];
    const flag = kind === 'Role' ? `--role=${role}` : `--clusterrole=${role}`;
    const bindingName = `${name}-${i}`;
    if (b.namespace === undefined) {
      await cluster.kubectl(['create', 'clusterrolebinding', bindingName, flag, `--serviceaccount=${namespace}:${name}`]);
    } else {
      await cluster.kubectl(['-n', b.namespace, 'create', 'rolebinding', bindingName, flag, `--serviceaccount=${namespace}:${name}`]);
    }
  }
  const token = (await cluster.kubectl(['-n', namespace, 'create', 'token', name, '--duration=2h'])).trim();
  const admin = JSON.parse(await cluster.kubectl(['config', 'view', '--raw', '--minify', '-o', 'json'])) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
  };
  const server = admin.clusters[0]?.cluster;
  if (!server) throw new Error('the admin kubeconfig names no cluster');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kgc', cluster: server }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: 'kgc', user: name, namespace } }],
    'current-context': name,
  };
  const path = join(dir, `kubeconfig-${namespace}-${name}`);
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}
