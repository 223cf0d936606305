/**
 * Kubernetes objects (as the API server or `kubectl get -o yaml` gives them) turned into the
 * engine's model. Shared by the evaluator's informers and `audit test --cluster`, so a Pod
 * means the same thing to both. Untrusted input: returns undefined plus a reason, never throws.
 */
import { canonicalIp } from './address.js';
import type { ContainerPort, NamespaceInfo, PodInfo, Protocol } from './types.js';
import { PROTOCOLS } from './types.js';

type Raw = Record<string, unknown>;

export type Converted<T> = { ok: true; value: T } | { ok: false; reason: string };

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function containerPorts(container: unknown): ContainerPort[] {
  if (!isRecord(container)) return [];
  return list(container.ports).flatMap((p): ContainerPort[] => {
    if (!isRecord(p) || typeof p.containerPort !== 'number') return [];
    const protocol = typeof p.protocol === 'string' && PROTOCOLS.includes(p.protocol as Protocol) ? (p.protocol as Protocol) : 'TCP';
    return [{ containerPort: p.containerPort, protocol, ...(typeof p.name === 'string' ? { name: p.name } : {}) }];
  });
}

function podIps(status: Raw): string[] {
  const ips = list(status.podIPs).flatMap((e) => (isRecord(e) && typeof e.ip === 'string' ? [e.ip] : []));
  if (ips.length === 0 && typeof status.podIP === 'string') ips.push(status.podIP);
  return ips.map((ip) => canonicalIp(ip)).filter((ip): ip is string => ip !== undefined);
}

export function namespaceFromObject(obj: unknown): Converted<NamespaceInfo> {
  const meta = isRecord(obj) && isRecord(obj.metadata) ? obj.metadata : undefined;
  if (!meta || typeof meta.name !== 'string' || meta.name === '') return { ok: false, reason: 'metadata.name is required' };
  return { ok: true, value: { name: meta.name, labels: stringMap(meta.labels) } };
}

/**
 * A Pod in the model. Pods that have finished (Succeeded, Failed) hold no address any more:
 * they are skipped so their old IPs cannot be mistaken for them.
 */
export function podFromObject(obj: unknown): Converted<PodInfo> {
  const meta = isRecord(obj) && isRecord(obj.metadata) ? obj.metadata : undefined;
  if (!meta || typeof meta.name !== 'string' || meta.name === '') return { ok: false, reason: 'metadata.name is required' };
  const spec = isRecord(obj) && isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj) && isRecord(obj.status) ? obj.status : {};
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return { ok: false, reason: `pod has finished (phase ${status.phase})` };
  // Sidecars (init containers that keep running) serve ports like ordinary containers.
  const sidecars = list(spec.initContainers).filter((c) => isRecord(c) && c.restartPolicy === 'Always');
  return {
    ok: true,
    value: {
      namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default',
      name: meta.name,
      ...(typeof meta.uid === 'string' ? { uid: meta.uid } : {}),
      labels: stringMap(meta.labels),
      ips: podIps(status),
      ports: [...list(spec.containers), ...sidecars].flatMap(containerPorts),
      hostNetwork: spec.hostNetwork === true,
    },
  };
}
