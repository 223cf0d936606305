/**
 * Pods without a kubelet: a test creates a Pod bound to the control plane's one node, then
 * writes the status a kubelet would (phase, pod IPs) through the status subresource, and
 * creates EndpointSlices itself where a Service needs backends.
 */
import {
  CoreV1Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ContainerPort,
  type V1EndpointSlice,
  type V1Pod,
} from '@kubernetes/client-node';

/** The node the control plane's stand-in kubelet serves (port-forward goes through it). */
export const TEST_NODE = 'kg-node';

export interface PodOptions {
  labels?: Record<string, string>;
  ports?: V1ContainerPort[];
  hostNetwork?: boolean;
}

export async function createPod(kc: KubeConfig, namespace: string, name: string, options: PodOptions = {}): Promise<V1Pod> {
  return kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: options.labels ?? {} },
      spec: {
        nodeName: TEST_NODE,
        hostNetwork: options.hostNetwork ?? false,
        containers: [{ name: 'main', image: 'registry.invalid/kguardian-test:never-pulled', ports: options.ports ?? [] }],
      },
    },
  });
}

export interface PodStatusPatch {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** Pod IPs, primary first; the first also becomes status.podIP. */
  podIPs?: string[];
}

/** Writes what a kubelet would report, through the status subresource. */
export async function setPodStatus(kc: KubeConfig, namespace: string, name: string, patch: PodStatusPatch): Promise<V1Pod> {
  const status: Record<string, unknown> = {};
  if (patch.phase) status.phase = patch.phase;
  if (patch.podIPs) {
    status.podIP = patch.podIPs[0];
    status.podIPs = patch.podIPs.map((ip) => ({ ip }));
  }
  return kc
    .makeApiClient(CoreV1Api)
    .patchNamespacedPodStatus({ name, namespace, body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

/** Creates a Pod and reports it Running with the given IPs. */
export async function createRunningPod(
  kc: KubeConfig,
  namespace: string,
  name: string,
  podIPs: string[],
  options: PodOptions = {},
): Promise<V1Pod> {
  await createPod(kc, namespace, name, options);
  return setPodStatus(kc, namespace, name, { phase: 'Running', podIPs });
}

export interface Backend {
  pod: string;
  ip: string;
}

/** Creates the EndpointSlice an endpoints controller would make for a Service. */
export async function createEndpointSlice(
  kc: KubeConfig,
  namespace: string,
  service: string,
  backends: Backend[],
  ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[],
): Promise<V1EndpointSlice> {
  return kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
    namespace,
    body: {
      metadata: { generateName: `${service}-`, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      endpoints: backends.map(({ pod, ip }) => ({
        addresses: [ip],
        conditions: { ready: true },
        nodeName: TEST_NODE,
        targetRef: { kind: 'Pod', namespace, name: pod },
      })),
      ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    },
  });
}
