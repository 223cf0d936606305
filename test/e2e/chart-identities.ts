/**
 * The chart's identities on a test API server: `helm template` of the default values, of which
 * only the ServiceAccounts, (Cluster)Roles and their bindings are applied (nothing else could
 * run on a control plane without a kubelet), then one token per component minted with the
 * TokenRequest API, as the kubelet does for a pod, written as a token file and as a kubeconfig.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseObjects, renderChart, type K8sObject } from '../../deploy/testing/helm.js';
import type { Credentials } from '../../playground/components.js';
import type { Kubectl } from '../../playground/kubectl.js';
import { serviceAccountToken } from '../kube/service-account-token.js';
import { tokenKubeconfig } from '../kube/token-kubeconfig.js';

/** Release "kguardian" into namespace "kguardian": the names a default install has. */
export const RELEASE = 'kguardian';
export const COMPONENTS = ['broker', 'evaluator', 'agent'] as const;
export type Component = (typeof COMPONENTS)[number];

const IDENTITY_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/** Applies the chart's ServiceAccounts and RBAC into `namespace` (the release namespace); returns them. */
export async function applyChartIdentities(kubectl: Kubectl, namespace: string): Promise<K8sObject[]> {
  const objects = parseObjects(await renderChart({}, namespace, RELEASE)).filter((o) => IDENTITY_KINDS.has(o.kind));
  await kubectl.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  return objects;
}

/** One object of the chart as rendered into `namespace`, e.g. the broker's Service. */
export async function chartObject(namespace: string, kind: string, name: string): Promise<K8sObject> {
  const found = parseObjects(await renderChart({}, namespace, RELEASE)).find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`the chart renders no ${kind} ${name}`);
  return found;
}

/** A TokenRequest for the ServiceAccount, as the kubelet makes for a pod's projected token. */
export const mintToken = serviceAccountToken;

export interface Identity extends Credentials {
  token: string;
}

/** Token file and kubeconfig of ServiceAccount namespace/serviceAccount, written into `dir`. */
export async function identityOf(kc: KubeConfig, dir: string, namespace: string, serviceAccount: string): Promise<Identity> {
  const token = await mintToken(kc, namespace, serviceAccount);
  const tokenFile = join(dir, `${serviceAccount}.token`);
  writeFileSync(tokenFile, token, { mode: 0o600 });
  return { token, tokenFile, kubeconfig: tokenKubeconfig(kc, join(dir, `${serviceAccount}.kubeconfig`), token, namespace) };
}

/** Each component's identity: ServiceAccount RELEASE-COMPONENT of the release namespace. */
export async function componentIdentities(kc: KubeConfig, dir: string, namespace: string): Promise<Record<Component, Identity>> {
  const out: Partial<Record<Component, Identity>> = {};
  for (const c of COMPONENTS) out[c] = await identityOf(kc, dir, namespace, `${RELEASE}-${c}`);
  return out as Record<Component, Identity>;
}
