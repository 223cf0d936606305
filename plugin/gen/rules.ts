/**
 * The rules of one workload's policy, from the flows it was seen in. One rule per peer, with
 * every port that peer used:
 *
 * | peer seen                          | written as                                                        |
 * |------------------------------------|-------------------------------------------------------------------|
 * | pod of a workload on the pod net   | namespaceSelector kubernetes.io/metadata.name + its podSelector  |
 * | node address or host-network pod   | ipBlock /32 (/128) of every known node address, with a note      |
 * | any other address                  | ipBlock /32 (/128), or its /N with --aggregate-cidr N            |
 *
 * A port is written by the name the destination declares for it (every pod of the destination
 * workload the same name, number and protocol), else by number; the protocol is always written.
 * DNS to a pod (port 53) gets both UDP and TCP: answers too large for UDP are retried over TCP,
 * a path short windows rarely see.
 */
import ipaddr from 'ipaddr.js';
import type { Direction, PodInfo, Protocol } from '../../policy/index.js';
import type { ResolvedFlow } from './ends.js';
import type { GenPeer, GenPort, GenRule, GenSettings, PeerEnd, Provenance, Workload } from './types.js';
import { workloadId } from './types.js';

const DNS_PORT = 53;
export const NODE_NOTE = 'node addresses: kubelet probes and host-network pods come from the node, so every known node address is listed';
export const DNS_TCP_NOTE = 'DNS: UDP and TCP 53 both allowed, as answers too large for UDP are retried over TCP';
export const WHOLE_NAMESPACE_NOTE = 'the peer workload has no stable labels, so the rule admits every pod of its namespace';

interface Acc {
  peer: GenPeer;
  ports: Map<string, GenPort>;
  provenance: Provenance;
  notes: Set<string>;
}

export function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

export function aggregateCidr(ip: string, settings: Pick<GenSettings, 'aggregateV4' | 'aggregateV6'>): string {
  const v6 = ip.includes(':');
  const prefix = v6 ? settings.aggregateV6 : settings.aggregateV4;
  const network = v6 ? ipaddr.IPv6.networkAddressFromCIDR(`${ip}/${prefix}`).toRFC5952String() : ipaddr.IPv4.networkAddressFromCIDR(`${ip}/${prefix}`).toString();
  return `${network}/${prefix}`;
}

/** The name every pod of the destination declares for this port and protocol, if they agree on one. */
function portName(pods: readonly PodInfo[] | undefined, protocol: Protocol, port: number): string | undefined {
  if (!pods || pods.length === 0) return undefined;
  const names = pods.map((p) => p.ports.find((c) => c.containerPort === port && c.protocol === protocol)?.name);
  const [first] = names;
  return first !== undefined && names.every((n) => n === first) ? first : undefined;
}

function genPort(pods: readonly PodInfo[] | undefined, protocol: Protocol, port: number): GenPort {
  return { protocol, port: portName(pods, protocol, port) ?? port };
}

function peerOf(end: PeerEnd, nodeAddresses: ReadonlySet<string>, settings: GenSettings): { key: string; peer: GenPeer; note?: string } {
  if (end.kind === 'pod') {
    const w = end.workload;
    const key = `0|${w.namespace}|${JSON.stringify(w.selector)}`;
    const note = Object.keys(w.selector).length === 0 ? WHOLE_NAMESPACE_NOTE : undefined;
    return { key, peer: { kind: 'workload', namespace: w.namespace, selector: w.selector, workloads: [workloadId(w)] }, ...(note ? { note } : {}) };
  }
  if (end.kind === 'node') return { key: '1|nodes', peer: { kind: 'nodes', cidrs: sortCidrs([...nodeAddresses].map(hostCidr)) }, note: NODE_NOTE };
  const cidr = aggregateCidr(end.ip, settings);
  return { key: `2|${cidr}`, peer: { kind: 'cidr', cidr } };
}

function cidrBytes(cidr: string): number[] {
  const ip = cidr.slice(0, cidr.indexOf('/'));
  return ipaddr.parse(ip).toByteArray();
}

export function compareCidrs(a: string, b: string): number {
  const x = cidrBytes(a);
  const y = cidrBytes(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return Number(a.slice(a.indexOf('/') + 1)) - Number(b.slice(b.indexOf('/') + 1));
}

function sortCidrs(cidrs: string[]): string[] {
  return [...new Set(cidrs)].sort(compareCidrs);
}

export function comparePorts(a: GenPort, b: GenPort): number {
  if (a.protocol !== b.protocol) return a.protocol < b.protocol ? -1 : 1;
  if (typeof a.port !== typeof b.port) return typeof a.port === 'number' ? -1 : 1;
  return typeof a.port === 'number' ? a.port - (b.port as number) : a.port.localeCompare(b.port as string);
}

function addProvenance(p: Provenance, f: ResolvedFlow): void {
  const seen = f.input.seen;
  p.flows += seen.count;
  if (seen.first !== undefined) p.first = p.first === undefined ? seen.first : Math.min(p.first, seen.first);
  if (seen.last !== undefined) p.last = p.last === undefined ? seen.last : Math.max(p.last, seen.last);
}

function addPorts(acc: Acc, f: ResolvedFlow, dstPods: readonly PodInfo[] | undefined): void {
  const { protocol, port } = f.input.flow;
  const ports = [genPort(dstPods, protocol, port)];
  if (port === DNS_PORT && dstPods !== undefined && (protocol === 'UDP' || protocol === 'TCP')) {
    ports.push(genPort(dstPods, protocol === 'UDP' ? 'TCP' : 'UDP', port));
    acc.notes.add(DNS_TCP_NOTE);
  }
  for (const p of ports) acc.ports.set(`${p.protocol}/${p.port}`, p);
}

/** The flows in which this workload is the destination (Ingress) or the source (Egress). */
export function flowsOf(workload: Workload, direction: Direction, flows: readonly ResolvedFlow[]): ResolvedFlow[] {
  return flows.filter((f) => {
    const end = direction === 'Ingress' ? f.dst : f.src;
    return end.kind === 'pod' && end.workload === workload;
  });
}

export function rulesFor(workload: Workload, direction: Direction, flows: readonly ResolvedFlow[], nodeAddresses: ReadonlySet<string>, settings: GenSettings): GenRule[] {
  const rules = new Map<string, Acc>();
  for (const f of flowsOf(workload, direction, flows)) {
    const peerEnd = direction === 'Ingress' ? f.src : f.dst;
    const { key, peer, note } = peerOf(peerEnd, nodeAddresses, settings);
    let acc = rules.get(key);
    if (!acc) {
      acc = { peer, ports: new Map(), provenance: { flows: 0, first: undefined, last: undefined }, notes: new Set() };
      rules.set(key, acc);
    } else if (acc.peer.kind === 'workload' && peer.kind === 'workload') acc.peer.workloads = [...new Set([...acc.peer.workloads, ...peer.workloads])].sort();
    if (note) acc.notes.add(note);
    addProvenance(acc.provenance, f);
    const dstPods = f.dst.kind === 'pod' ? f.dst.workload.pods : undefined;
    addPorts(acc, f, dstPods);
  }
  return [...rules.entries()]
    .sort(([a], [b]) => (a.startsWith('2|') && b.startsWith('2|') ? compareCidrs(a.slice(2), b.slice(2)) : a < b ? -1 : a > b ? 1 : 0))
    .map(([, acc]) => ({ peer: acc.peer, ports: [...acc.ports.values()].sort(comparePorts), provenance: acc.provenance, notes: [...acc.notes].sort() }));
}
