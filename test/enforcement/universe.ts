/**
 * The pods every scenario runs on: the upstream network-policy e2e model (namespaces x, y, z, pods a, b, c,
 * ports 80 and 81 over TCP and UDP, named serve-PORT-PROTO), laid out in several copies so that as many
 * scenarios are enforced at once (NetworkPolicies of one scenario must not meet another's pods: each copy
 * has its own three namespaces). SCTP is left out where the kernel has no SCTP (this host: socket() says
 * EPROTONOSUPPORT), as upstream skips it.
 *
 * Besides pod=a|b|c the pods and namespaces carry a few labels for the random scenarios' selectors; they
 * are the same in every copy.
 */
import type { Protocol } from '../../policy/types.js';

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const PODS = ['a', 'b', 'c'] as const;
export const PORTS = [80, 81] as const;
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP'];

export type ModelNamespace = (typeof NAMESPACES)[number];
export type ModelPod = (typeof PODS)[number];

/** Labels of each model namespace besides kubernetes.io/metadata.name (and `ns`, its model name). */
export const NAMESPACE_LABELS: Record<ModelNamespace, Record<string, string>> = {
  x: { env: 'prod', team: 'red' },
  y: { env: 'prod', team: 'blue' },
  z: { env: 'dev', team: 'blue' },
};

/** Labels of each model pod besides pod=NAME (the same in every namespace). */
export const POD_LABELS: Record<ModelPod, Record<string, string>> = {
  a: { tier: 'web', version: 'v1' },
  b: { tier: 'api', version: 'v2' },
  c: { tier: 'db' },
};

export interface PodSlot {
  /** The model's name, `x/a`. */
  model: string;
  namespace: string;
  modelNamespace: ModelNamespace;
  pod: ModelPod;
  labels: Record<string, string>;
  /** Set once the pod runs. */
  ip?: string;
}

export interface Copy {
  index: number;
  /** Model namespace to the copy's namespace. */
  namespaces: Record<ModelNamespace, string>;
  pods: PodSlot[];
}

export function portName(port: number, protocol: Protocol): string {
  return `serve-${port}-${protocol.toLowerCase()}`;
}

/** The copy's namespace names: `e3-x` for model namespace x of copy 3. */
export function makeCopy(index: number): Copy {
  const namespaces = Object.fromEntries(NAMESPACES.map((n) => [n, `e${index}-${n}`])) as Record<ModelNamespace, string>;
  const pods: PodSlot[] = [];
  for (const ns of NAMESPACES) {
    for (const pod of PODS) {
      pods.push({ model: `${ns}/${pod}`, namespace: namespaces[ns], modelNamespace: ns, pod, labels: { pod, ...POD_LABELS[pod] } });
    }
  }
  return { index, namespaces, pods };
}

/** The namespaces and pods of one copy, as a kubectl List. */
export function copyManifest(copy: Copy, image: string): unknown {
  const items: unknown[] = [];
  for (const ns of NAMESPACES) {
    items.push({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: copy.namespaces[ns], labels: { ns, ...NAMESPACE_LABELS[ns], 'kguardian.dev/enforcement-test': 'true' } },
    });
  }
  for (const slot of copy.pods) {
    const env: { name: string; value: string }[] = [];
    const ports: { name: string; containerPort: number; protocol: Protocol }[] = [];
    for (const port of PORTS) {
      for (const protocol of PROTOCOLS) {
        env.push({ name: protocol === 'TCP' ? `SERVE_PORT_${port}` : `SERVE_UDP_PORT_${port}`, value: 'foo' });
        ports.push({ name: portName(port, protocol), containerPort: port, protocol });
      }
    }
    items.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: slot.pod, namespace: slot.namespace, labels: slot.labels },
      spec: {
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        automountServiceAccountToken: false,
        containers: [{ name: 'porter', image, imagePullPolicy: 'Never', args: ['porter'], env, ports }],
      },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

/** One probe: from a pod to another pod's IPv4 address, one port and protocol. */
export interface Probe {
  /** `x/a->y/b:80/TCP` in model names: the same in every copy. */
  key: string;
  src: PodSlot;
  dst: PodSlot;
  port: number;
  protocol: Protocol;
}

/** Every ordered pair of distinct pods of the copy, every port and protocol (a pod to itself is no policy's business). */
export function probesOf(copy: Copy): Probe[] {
  const out: Probe[] = [];
  for (const src of copy.pods) {
    for (const dst of copy.pods) {
      if (src === dst) continue;
      for (const port of PORTS) {
        for (const protocol of PROTOCOLS) {
          out.push({ key: `${src.model}->${dst.model}:${port}/${protocol}`, src, dst, port, protocol });
        }
      }
    }
  }
  return out;
}
