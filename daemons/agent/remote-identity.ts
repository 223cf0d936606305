/**
 * Identity of the REMOTE end of a flow, cluster-wide. The local end of every flow is on this node,
 * so PodIdentityIndex (this node's pods, a field-selected informer) names it; the remote end is
 * often a pod on another node, which that index cannot know and would call `external`. With
 * KG_REMOTE_IDENTITY (default on) the agent also watches every pod and every Node of the cluster:
 *   - a remote address is the newest pod claiming it, cluster-wide (same rule as the local index:
 *     IPs are reused, late events of an old pod never take an IP from its successor);
 *   - else a Node's address (InternalIP/ExternalIP, from a Node informer) is kind `node`: another
 *     node's host processes and hostNetwork pods, which share their node's address;
 *   - else what the local index says (this node's pods and KG_NODE_IPS), else `external`.
 * Local ends never use the cluster-wide index: only a pod of this node can own a local socket, and
 * the local index also knows the host's network namespace. Switched off, remote ends resolve as
 * before (this node's pods and addresses only), which saves the API server two cluster-wide
 * watches on very large clusters.
 */
import type { EndpointIdentity, IdentityResolver, PodIdentityIndex } from './pod-identity.js';

/** Addresses of the cluster's Nodes, by node name (a Node's addresses change as a whole). */
export class NodeAddressIndex {
  private readonly byNode = new Map<string, readonly string[]>();
  private readonly count = new Map<string, number>();

  upsertNode(name: string, ips: readonly string[]): void {
    this.deleteNode(name);
    const unique = [...new Set(ips)];
    this.byNode.set(name, unique);
    for (const ip of unique) this.count.set(ip, (this.count.get(ip) ?? 0) + 1);
  }

  deleteNode(name: string): void {
    for (const ip of this.byNode.get(name) ?? []) {
      const left = (this.count.get(ip) ?? 1) - 1;
      if (left > 0) this.count.set(ip, left);
      else this.count.delete(ip);
    }
    this.byNode.delete(name);
  }

  has(ip: string): boolean {
    return this.count.has(ip);
  }

  /** Nodes known. */
  get size(): number {
    return this.byNode.size;
  }
}

export class RemoteAwareIdentity implements IdentityResolver {
  constructor(
    private readonly local: PodIdentityIndex,
    private readonly clusterPods: PodIdentityIndex,
    private readonly nodes: NodeAddressIndex,
  ) {}

  resolveLocal(ip: string, netns: number): EndpointIdentity {
    return this.local.resolveLocal(ip, netns);
  }

  resolve(ip: string): EndpointIdentity {
    const pod = this.clusterPods.resolve(ip);
    if (pod.kind === 'pod') return pod;
    if (this.nodes.has(ip)) return { kind: 'node' };
    // The local index may know a pod of this node before the cluster-wide watch has listed it.
    return this.local.resolve(ip);
  }
}
