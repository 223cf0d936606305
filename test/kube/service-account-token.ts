/**
 * A token for a ServiceAccount from the TokenRequest API, as the kubelet mints a pod's projected
 * token: the one way the integration and e2e tests act as a component or a user of the cluster.
 */
import { AuthenticationV1TokenRequest, CoreV1Api, type KubeConfig, V1TokenRequestSpec } from '@kubernetes/client-node';

export async function serviceAccountToken(kc: KubeConfig, namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
  const body = Object.assign(new AuthenticationV1TokenRequest(), { spec: Object.assign(new V1TokenRequestSpec(), { audiences: [], expirationSeconds }) });
  const r = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ name, namespace, body });
  const token = r.status?.token;
  if (!token) throw new Error(`the API server returned no token for ServiceAccount ${namespace}/${name}`);
  return token;
}
