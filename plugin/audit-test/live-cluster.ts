/**
 * The live cluster as an `audit test --cluster` snapshot: the namespaces, pods and NetworkPolicies
 * the API server has now, written out as the List that `kubectl get ... -o json` prints, so the
 * same loader (load-cluster.ts) reads it and the policy semantics stay in policy/. Services are
 * not read (NetworkPolicies select pods, never Services), nor are audit policies (they enforce
 * nothing: only the candidates given with -f are judged).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { Source } from '../input/read-source.js';

async function listAll(kc: KubeConfig): Promise<Record<string, unknown>[]> {
  const { CoreV1Api, NetworkingV1Api } = await import('@kubernetes/client-node');
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const [namespaces, pods, policies] = await Promise.all([core.listNamespace(), core.listPodForAllNamespaces(), net.listNetworkPolicyForAllNamespaces()]);
  const tag = (apiVersion: string, kind: string, items: object[]): Record<string, unknown>[] => items.map((o) => ({ ...o, apiVersion, kind }));
  return [...tag('v1', 'Namespace', namespaces.items), ...tag('v1', 'Pod', pods.items), ...tag('networking.k8s.io/v1', 'NetworkPolicy', policies.items)];
}

function failure(e: unknown, server: string): CliError {
  const code = (e as { code?: unknown }).code;
  if (code === 403) return new CliError('forbidden to read the live cluster: audit test needs list on namespaces, pods and networkpolicies cluster-wide (or save a snapshot and pass --cluster FILE)');
  const why = typeof code === 'number' ? `HTTP ${code}` : (e as Error).message;
  return new CliError(`cannot read the live cluster at ${server}: ${why} (or pass --cluster FILE)`);
}

export async function readLiveCluster(kc: KubeConfig, context: string, server: string): Promise<Source> {
  let items: Record<string, unknown>[];
  try {
    items = await listAll(kc);
  } catch (e) {
    throw failure(e, server);
  }
  return { name: `live cluster (context ${context})`, text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) };
}
