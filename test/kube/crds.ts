/**
 * Installs kguardian's CustomResourceDefinitions from crds/*.yaml and waits until the API
 * server serves them (condition Established).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { applyManifest } from './manifest.js';

export const CRD_FILES = ['auditnetworkpolicies.yaml', 'auditclusternetworkpolicies.yaml'];
export const CRD_DIR = join(import.meta.dirname, '..', '..', 'crds');

export async function installCrds(kc: KubeConfig): Promise<V1CustomResourceDefinition[]> {
  const names: string[] = [];
  for (const file of CRD_FILES) {
    const [crd] = await applyManifest(kc, await readFile(join(CRD_DIR, file), 'utf8'));
    if (crd?.metadata?.name) names.push(crd.metadata.name);
  }
  return Promise.all(names.map((name) => waitEstablished(kc, name)));
}

export async function waitEstablished(kc: KubeConfig, name: string, timeoutMs = 30_000): Promise<V1CustomResourceDefinition> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await api.readCustomResourceDefinition({ name });
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status === 'True') return crd;
    if (Date.now() > deadline) {
      throw new Error(`CRD ${name} not Established within ${timeoutMs} ms: ${JSON.stringify(crd.status?.conditions)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
