/**
 * Services and their EndpointSlices, indexed by ClusterIP, protocol and port, so a flow to a
 * Service address can be judged as the flow the CNI delivers after NAT: to a backend pod on
 * the target port. The target port comes from the EndpointSlice's port of the same name (a
 * named targetPort can resolve to different numbers on different pods), and a backend of the
 * ClusterIP's address family. Raw objects are untrusted: malformed parts are skipped.
 */
import { canonicalIp, PROTOCOLS, type PodRef, type Protocol } from '../../../policy/index.js';
import { rec } from './raw-object.js';

export interface ServicePort {
  name: string;
  port: number;
  protocol: Protocol;
}

export interface Backend {
  ip: string;
  /** The port the backend receives on. */
  port: number;
  /** The pod behind the address, from the endpoint's targetRef. */
  pod: PodRef | undefined;
}

export interface ServiceTarget {
  /** "namespace/name". */
  service: string;
  port: ServicePort;
  /** Ready backends of the ClusterIP's family, sorted by pod (or IP). */
  backends: Backend[];
}

interface ServiceEntry {
  key: string;
  ips: string[];
  ports: ServicePort[];
}

interface SliceEndpoint {
  ips: string[];
  ready: boolean;
  pod: PodRef | undefined;
}

interface SliceEntry {
  service: string;
  family: 4 | 6 | undefined;
  ports: ServicePort[];
  endpoints: SliceEndpoint[];
}


function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function protocolOf(v: unknown): Protocol {
  return typeof v === 'string' && PROTOCOLS.includes(v as Protocol) ? (v as Protocol) : 'TCP';
}

function portsOf(v: unknown): ServicePort[] {
  return arr(v).flatMap((p): ServicePort[] => {
    const r = rec(p);
    return typeof r.port === 'number' ? [{ name: str(r.name) ?? '', port: r.port, protocol: protocolOf(r.protocol) }] : [];
  });
}

function familyOf(ip: string): 4 | 6 {
  return ip.includes(':') ? 6 : 4;
}

function metaKey(obj: unknown): { namespace: string; name: string } | undefined {
  const meta = rec(rec(obj).metadata);
  const name = str(meta.name);
  return name ? { namespace: str(meta.namespace) || 'default', name } : undefined;
}

function lookupKey(ip: string, protocol: Protocol, port: number): string {
  return `${ip}|${protocol}|${port}`;
}

function podOf(ref: unknown, namespace: string): PodRef | undefined {
  const r = rec(ref);
  const name = str(r.name);
  return r.kind === 'Pod' && name ? { namespace: str(r.namespace) || namespace, pod: name } : undefined;
}

export class ServiceIndex {
  private readonly services = new Map<string, ServiceEntry>();
  /** "ip|protocol|port" -> service key. */
  private readonly byAddress = new Map<string, { service: string; port: ServicePort }>();
  /** service key -> slice key -> slice. */
  private readonly slices = new Map<string, Map<string, SliceEntry>>();
  private readonly sliceOwner = new Map<string, string>();
  private readonly targets = new Map<string, ServiceTarget | null>();
  /** ClusterIP -> how many Services use it: most flows are not to a Service, and this says so cheaply. */
  private readonly addresses = new Map<string, number>();
  /** Bumped on every change, so memos of translated flows know when they are stale. */
  version = 0;

  upsertService(obj: unknown): void {
    const id = metaKey(obj);
    if (!id) return;
    const key = `${id.namespace}/${id.name}`;
    this.removeService(key);
    const spec = rec(rec(obj).spec);
    const raw = [...arr(spec.clusterIPs), spec.clusterIP].map(str).filter((s): s is string => s !== undefined && s !== 'None' && s !== '');
    const ips = [...new Set(raw.map((ip) => canonicalIp(ip)).filter((ip): ip is string => ip !== undefined))];
    const entry: ServiceEntry = { key, ips, ports: portsOf(spec.ports) };
    this.services.set(key, entry);
    for (const ip of ips) this.addresses.set(ip, (this.addresses.get(ip) ?? 0) + 1);
    for (const ip of ips) for (const port of entry.ports) this.byAddress.set(lookupKey(ip, port.protocol, port.port), { service: key, port });
    this.changed();
  }

  deleteService(namespace: string, name: string): void {
    if (this.removeService(`${namespace}/${name}`)) this.changed();
  }

  private removeService(key: string): boolean {
    const old = this.services.get(key);
    if (!old) return false;
    for (const ip of old.ips) for (const port of old.ports) this.byAddress.delete(lookupKey(ip, port.protocol, port.port));
    for (const ip of old.ips) {
      const n = (this.addresses.get(ip) ?? 1) - 1;
      if (n > 0) this.addresses.set(ip, n);
      else this.addresses.delete(ip);
    }
    this.services.delete(key);
    return true;
  }

  upsertSlice(obj: unknown): void {
    const id = metaKey(obj);
    if (!id) return;
    const sliceKey = `${id.namespace}/${id.name}`;
    this.removeSlice(sliceKey);
    const o = rec(obj);
    const serviceName = str(rec(rec(o.metadata).labels)['kubernetes.io/service-name']);
    if (!serviceName) return;
    const service = `${id.namespace}/${serviceName}`;
    const type = str(o.addressType);
    const endpoints = arr(o.endpoints).map((e): SliceEndpoint => {
      const r = rec(e);
      const ips = arr(r.addresses).map((a) => (typeof a === 'string' ? canonicalIp(a) : undefined)).filter((a): a is string => a !== undefined);
      // Upstream: a nil `ready` means ready.
      return { ips, ready: rec(r.conditions).ready !== false, pod: podOf(r.targetRef, id.namespace) };
    });
    const entry: SliceEntry = { service, family: type === 'IPv4' ? 4 : type === 'IPv6' ? 6 : undefined, ports: portsOf(o.ports), endpoints };
    let bySlice = this.slices.get(service);
    if (!bySlice) this.slices.set(service, (bySlice = new Map<string, SliceEntry>()));
    bySlice.set(sliceKey, entry);
    this.sliceOwner.set(sliceKey, service);
    this.changed();
  }

  deleteSlice(namespace: string, name: string): void {
    if (this.removeSlice(`${namespace}/${name}`)) this.changed();
  }

  private removeSlice(sliceKey: string): boolean {
    const service = this.sliceOwner.get(sliceKey);
    if (service === undefined) return false;
    this.sliceOwner.delete(sliceKey);
    const bySlice = this.slices.get(service);
    bySlice?.delete(sliceKey);
    if (bySlice?.size === 0) this.slices.delete(service);
    return true;
  }

  private changed(): void {
    this.version++;
    this.targets.clear();
  }

  /** The Service behind a canonical address and port, with its ready backends; undefined when it is none. */
  lookup(ip: string, protocol: Protocol, port: number): ServiceTarget | undefined {
    if (!this.addresses.has(ip)) return undefined;
    const key = lookupKey(ip, protocol, port);
    const known = this.targets.get(key);
    if (known !== undefined) return known ?? undefined;
    const hit = this.byAddress.get(key);
    const target = hit ? { service: hit.service, port: hit.port, backends: this.backends(hit.service, hit.port, familyOf(ip)) } : null;
    this.targets.set(key, target);
    return target ?? undefined;
  }

  private backends(service: string, port: ServicePort, family: 4 | 6): Backend[] {
    const seen = new Map<string, Backend>();
    for (const slice of this.slices.get(service)?.values() ?? []) {
      if (slice.family !== undefined && slice.family !== family) continue;
      const sp = slice.ports.find((p) => p.name === port.name && p.protocol === port.protocol);
      if (!sp) continue;
      for (const e of slice.endpoints) {
        if (!e.ready) continue;
        for (const ip of e.ips) if (familyOf(ip) === family) seen.set(`${ip}|${sp.port}`, { ip, port: sp.port, pod: e.pod });
      }
    }
    const label = (b: Backend): string => (b.pod ? `${b.pod.namespace}/${b.pod.pod}` : b.ip);
    return [...seen.values()].sort((a, b) => (label(a) < label(b) ? -1 : label(a) > label(b) ? 1 : a.port - b.port));
  }

  size(): number {
    return this.services.size;
  }
}
