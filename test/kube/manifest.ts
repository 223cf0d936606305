/**
 * Applying YAML the way `kubectl apply --server-side` does: every document, with the test's
 * namespace for namespaced objects that name none.
 */
import { KubeConfig, KubernetesObjectApi, PatchStrategy, loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';

const FIELD_MANAGER = 'kguardian-tests';

/** A copy of kc whose current context defaults to namespace. */
export function inNamespace(kc: KubeConfig, namespace: string): KubeConfig {
  const context = kc.getContextObject(kc.getCurrentContext());
  if (!context) throw new Error('the kubeconfig has no current context');
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.getClusters(),
    users: kc.getUsers(),
    contexts: [{ ...context, namespace }],
    currentContext: context.name,
  });
  return copy;
}

/** Server-side applies each document of yamlText; returns the objects as stored. */
export async function applyManifest(kc: KubeConfig, yamlText: string, namespace?: string): Promise<KubernetesObject[]> {
  const client = KubernetesObjectApi.makeApiClient(namespace ? inNamespace(kc, namespace) : kc);
  const applied: KubernetesObject[] = [];
  for (const doc of loadAllYaml(yamlText) as (KubernetesObject | null)[]) {
    if (!doc) continue;
    applied.push(await client.patch(doc, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }
  return applied;
}
