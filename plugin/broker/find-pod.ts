/**
 * Finds where to port-forward: a ready pod behind the broker Service and the container port its
 * service port points at. EndpointSlices come first (they say what the Service itself routes
 * to); without them, pods are matched by the Service's selector and must be Running and Ready.
 */
import { ApiException, CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1Pod, type V1Service, type V1ServicePort } from '@kubernetes/client-node';
import { CliError } from '../errors.js';

export interface BrokerTarget {
  namespace: string;
  pod: string;
  port: number;
}

function kubeFailure(e: unknown, what: string): CliError {
  if (e instanceof ApiException && e.code === 403) return new CliError(`forbidden to ${what}: the plugin needs RBAC permission to get services and list endpointslices and pods in the broker's namespace`);
  const cause = (e as { cause?: { code?: string } }).cause?.code;
  const msg = e instanceof ApiException ? `HTTP ${e.code}` : `${(e as Error).message}${cause ? ` (${cause})` : ''}`;
  return new CliError(`cannot ${what}: ${msg}`);
}

async function readService(kc: KubeConfig, namespace: string, name: string): Promise<V1Service> {
  try {
    return await kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace, name });
  } catch (e) {
    if (e instanceof ApiException && e.code === 404)
      throw new CliError(`broker service ${namespace}/${name} not found: is kguardian installed? Try --broker-namespace/--broker-service, or give its URL with --broker-url or KGUARDIAN_BROKER_URL`);
    throw kubeFailure(e, `read service ${namespace}/${name}`);
  }
}

/** The service port the plugin talks HTTP to: the one named http, else the first. */
function httpPort(svc: V1Service): V1ServicePort {
  const ports = svc.spec?.ports ?? [];
  const port = ports.find((p) => p.name === 'http') ?? ports[0];
  if (!port) throw new CliError(`broker service ${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''} has no ports`);
  return port;
}

async function fromEndpointSlices(kc: KubeConfig, namespace: string, svcName: string, port: V1ServicePort): Promise<BrokerTarget | undefined> {
  let slices;
  try {
    slices = await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${svcName}` });
  } catch (e) {
    throw kubeFailure(e, `list endpointslices in ${namespace}`);
  }
  for (const slice of slices.items) {
    const p = (slice.ports ?? []).find((sp) => (sp.name ?? '') === (port.name ?? '')) ?? slice.ports?.[0];
    const ep = (slice.endpoints ?? []).find((e) => e.conditions?.ready !== false && e.targetRef?.kind === 'Pod' && e.targetRef.name);
    if (p?.port !== undefined && ep?.targetRef?.name) return { namespace, pod: ep.targetRef.name, port: p.port };
  }
  return undefined;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function containerPort(pod: V1Pod, target: number | string | undefined, fallback: number): number | undefined {
  if (typeof target === 'number') return target;
  if (target === undefined || /^\d+$/.test(target)) return target === undefined ? fallback : Number(target);
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  return undefined;
}

async function fromSelector(kc: KubeConfig, svc: V1Service, port: V1ServicePort): Promise<BrokerTarget | undefined> {
  const namespace = svc.metadata?.namespace ?? '';
  const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  if (selector === '') return undefined;
  let pods;
  try {
    pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: selector });
  } catch (e) {
    throw kubeFailure(e, `list pods in ${namespace}`);
  }
  for (const pod of pods.items.filter(isReady)) {
    const target = containerPort(pod, port.targetPort, port.port);
    if (target !== undefined && pod.metadata?.name) return { namespace, pod: pod.metadata.name, port: target };
  }
  return undefined;
}

export async function findBrokerPod(kc: KubeConfig, namespace: string, service: string): Promise<BrokerTarget> {
  const svc = await readService(kc, namespace, service);
  const port = httpPort(svc);
  const target = (await fromEndpointSlices(kc, namespace, service, port)) ?? (await fromSelector(kc, svc, port));
  if (!target)
    throw new CliError(`no ready broker pod behind service ${namespace}/${service}: check it with kubectl get pods -n ${namespace}, or reach the broker with --broker-url or KGUARDIAN_BROKER_URL`);
  return target;
}
