/**
 * One namespace per test. Names are unique, so tests never depend on another test's
 * leftovers; deletion is asynchronous (the control plane's namespace controller finishes it).
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

/** The label every test namespace carries, valued with the prefix it was made with. */
export const TEST_NAMESPACE_LABEL = 'kguardian.dev/test';

/** Creates a namespace named PREFIX-xxxxxx and waits until pods can be created in it. */
export async function createTestNamespace(kc: KubeConfig, prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: prefix, ...labels } } } });
  await waitForDefaultServiceAccount(core, name);
  return name;
}

/** Starts deleting a namespace and returns at once. */
export async function deleteTestNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).deleteNamespace({ name });
}

// The ServiceAccount admission plugin rejects pods until the namespace's "default"
// ServiceAccount exists; the control plane's controller creates it within a moment.
async function waitForDefaultServiceAccount(core: CoreV1Api, namespace: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const list = await core.listNamespacedServiceAccount({ namespace, fieldSelector: 'metadata.name=default' });
    if (list.items.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`namespace ${namespace} got no default ServiceAccount within 10s`);
}
