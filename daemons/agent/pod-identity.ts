/**
 * Who owns an IP address, as far as this node's agent knows: pods by IP (fed from a Pod
 * informer), this cluster's node addresses, and everything else external. Pod IPs are reused,
 * so identity is stamped when a flow is observed, not later. hostNetwork pods share their node's
 * address and cannot be told apart by IP, so node addresses resolve to kind 'node'; a socket in
 * the host's network namespace resolves to kind 'host' (see resolveLocal).
 *
 * IP reuse: an IP passes from an old pod to a newer one, but the old pod's events keep coming
 * after the new pod has the IP (its deletion starting is an update, still listing the IP). So an
 * IP is held by the newest pod that claims it, whatever the order of events, and when its holder
 * goes the IP returns to the newest remaining claimant.
 *
 * Addresses a pod has but does not list in status.podIPs (an IPv6 link-local fe80:: address, a
 * unique-local address added inside the pod): a TCP record carries the socket's network
 * namespace, so once a local socket at one of a pod's listed addresses shows which namespace is
 * the pod's, any other local address in that namespace is the same pod's. Without that knowledge
 * (no TCP record of the pod yet, or UDP, whose records carry no namespace) the end stays
 * `unknown` and is counted (flow-aggregator.ts), never dropped.
 */
import type { EndIdentity } from '../../contracts/flow-end.js';

/** Who owns an address: a flow end without its address and port (contracts/flow-end.ts). */
export type EndpointIdentity = EndIdentity;

export interface PodAddresses {
  namespace: string;
  name: string;
  uid: string;
  hostNetwork: boolean;
  ips: readonly string[];
  /** metadata.creationTimestamp in ms: when two pods claim one IP, the newer holds it. */
  createdMs?: number;
}

export interface IdentityResolver {
  /** The remote end of a flow, by address alone. */
  resolve(ip: string): EndpointIdentity;
  /** The local end: also knows the socket's network namespace (0 when unknown). */
  resolveLocal(ip: string, netns: number): EndpointIdentity;
}

export class PodIdentityIndex implements IdentityResolver {
  private readonly byIp = new Map<string, PodAddresses>();
  private readonly byUid = new Map<string, PodAddresses>();
  /** Every pod claiming each IP (usually one): who takes over when the holder goes, without
   * scanning every pod, which matters for the cluster-wide index (remote-identity.ts). */
  private readonly claimants = new Map<string, Set<PodAddresses>>();
  private readonly nodeIps: Set<string>;
  /** Network namespace inode -> uid of the pod seen in it (learned from local ends at its listed
   * IPs). By uid, so a pod's updates (status changes re-upsert it) keep what was learned. */
  private readonly netnsOwner = new Map<number, string>();

  /** `hostNetns` is the inode of the host's network namespace (the agent runs in it). */
  constructor(nodeIps: Iterable<string> = [], private readonly hostNetns = 0) {
    this.nodeIps = new Set(nodeIps);
  }

  upsertPod(pod: PodAddresses): void {
    this.unindex(pod.uid);
    this.byUid.set(pod.uid, pod);
    if (pod.hostNetwork) return; // its IPs are the node's
    for (const ip of pod.ips) {
      const claims = this.claimants.get(ip) ?? new Set();
      this.claimants.set(ip, claims.add(pod));
      const holder = this.byIp.get(ip);
      if (!holder || !newer(holder, pod)) this.byIp.set(ip, pod);
    }
  }

  deletePod(uid: string): void {
    this.unindex(uid);
    // Namespace inodes are reused once a namespace is gone: forget what this pod's was.
    for (const [netns, owner] of this.netnsOwner) if (owner === uid) this.netnsOwner.delete(netns);
  }

  private unindex(uid: string): void {
    const old = this.byUid.get(uid);
    if (!old) return;
    this.byUid.delete(uid);
    for (const ip of old.ips) {
      const claims = this.claimants.get(ip);
      claims?.delete(old);
      if (claims?.size === 0) this.claimants.delete(ip);
      if (this.byIp.get(ip)?.uid !== uid) continue;
      this.byIp.delete(ip);
      const next = this.newestClaimant(ip);
      if (next) this.byIp.set(ip, next);
    }
  }

  private newestClaimant(ip: string): PodAddresses | undefined {
    let best: PodAddresses | undefined;
    for (const p of this.claimants.get(ip) ?? []) {
      if (!best || !newer(best, p)) best = p;
    }
    return best;
  }

  /** Pods known (this node's, or the cluster's for the remote index). */
  get size(): number {
    return this.byUid.size;
  }

  addNodeIp(ip: string): void {
    this.nodeIps.add(ip);
  }

  resolve(ip: string): EndpointIdentity {
    const pod = this.byIp.get(ip);
    if (pod) return { kind: 'pod', namespace: pod.namespace, pod: pod.name, podUid: pod.uid };
    if (this.nodeIps.has(ip)) return { kind: 'node' };
    return { kind: 'external' };
  }

  resolveLocal(ip: string, netns: number): EndpointIdentity {
    const found = this.resolve(ip);
    const inPodNetns = netns !== 0 && netns !== this.hostNetns;
    if (found.kind === 'pod') {
      const pod = this.byIp.get(ip);
      if (inPodNetns && pod) this.netnsOwner.set(netns, pod.uid);
      return found;
    }
    if (netns !== 0 && netns === this.hostNetns) return { kind: 'host' };
    const ownerUid = inPodNetns && found.kind === 'external' ? this.netnsOwner.get(netns) : undefined;
    const owner = ownerUid === undefined ? undefined : this.byUid.get(ownerUid);
    if (owner) return { kind: 'pod', namespace: owner.namespace, pod: owner.name, podUid: owner.uid };
    return found.kind === 'external' ? { kind: 'unknown' } : found;
  }
}

/** True when `a` was created strictly after `b` (unknown creation times never win). */
function newer(a: PodAddresses, b: PodAddresses): boolean {
  return (a.createdMs ?? -Infinity) > (b.createdMs ?? -Infinity);
}
