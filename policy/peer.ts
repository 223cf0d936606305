/**
 * NetworkPolicy peers (`from` / `to` entries), compiled into explicit variants. Every nil /
 * empty / non-empty combination is settled here; each row has a test in peer.test.ts.
 *
 * | `from`/`to`  | podSelector | namespaceSelector | ipBlock | meaning                                  |
 * |--------------|-------------|-------------------|---------|------------------------------------------|
 * | omitted, []  |             |                   |         | any peer, pod or not                     |
 * | [peer]       | nil         | nil               | nil     | invalid: a peer must say something       |
 * | [peer]       | S           | nil               | nil     | pods matching S in the policy's namespace|
 * | [peer]       | {}          | nil               | nil     | every pod in the policy's namespace      |
 * | [peer]       | nil         | N                 | nil     | every pod in namespaces matching N       |
 * | [peer]       | nil         | {}                | nil     | every pod in every namespace             |
 * | [peer]       | S           | N                 | nil     | pods matching S in namespaces matching N |
 * | [peer]       | nil         | nil               | B       | any address in B's cidr and not in except|
 * | [peer]       | any         | any               | B       | invalid: ipBlock stands alone            |
 *
 * "The policy's namespace" is, for AuditClusterNetworkPolicy, the namespace of the pod the
 * policy selected: within each namespace it covers, its rules read as a namespaced policy's.
 * Pod selectors never match hostNetwork pods or unknown addresses; ipBlock matches any address.
 */
import { compileIpBlock, describeIpBlock, inIpBlock, inIpBlockV4 } from './address.js';
import type { ProblemList } from './errors.js';
import type { ResolvedEndpoint } from './model.js';
import type { NamespaceScope, Peer, PeerList } from './compiled.js';
import { compileSelector, describeSelector, matchesSelector } from './selector.js';

export type { NamespaceScope, Peer, PeerList };

export const ANY_PEER: PeerList = { kind: 'any' };

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function compileNamespaceScope(raw: unknown, path: string, problems: ProblemList): NamespaceScope {
  if (!isPresent(raw)) return { kind: 'policyNamespace' };
  const selector = compileSelector(raw, path, problems);
  return selector.kind === 'all' ? { kind: 'all' } : { kind: 'selector', selector };
}

export function compilePeer(raw: unknown, path: string, problems: ProblemList): Peer | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.error(path, 'type', 'each peer must be an object');
    return undefined;
  }
  const { podSelector, namespaceSelector, ipBlock } = raw as Record<string, unknown>;
  const hasPods = isPresent(podSelector);
  const hasNamespaces = isPresent(namespaceSelector);
  if (isPresent(ipBlock)) {
    if (hasPods || hasNamespaces) {
      problems.error(path, 'peer', 'may not specify both ipBlock and another peer (podSelector or namespaceSelector)');
      return undefined;
    }
    const block = compileIpBlock(ipBlock, `${path}.ipBlock`, problems);
    return block ? { kind: 'ipBlock', block } : undefined;
  }
  if (!hasPods && !hasNamespaces) {
    problems.error(path, 'peer', 'must specify a peer: one of podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  return {
    kind: 'pods',
    namespaces: compileNamespaceScope(namespaceSelector, `${path}.namespaceSelector`, problems),
    pods: compileSelector(podSelector, `${path}.podSelector`, problems),
  };
}

export function compilePeers(raw: unknown, path: string, problems: ProblemList): PeerList {
  if (!isPresent(raw)) return ANY_PEER;
  if (!Array.isArray(raw)) {
    problems.error(path, 'type', 'peers must be a list');
    return ANY_PEER;
  }
  if (raw.length === 0) return ANY_PEER;
  const peers: Peer[] = [];
  raw.forEach((p, i) => {
    const peer = compilePeer(p, `${path}[${i}]`, problems);
    if (peer) peers.push(peer);
  });
  return { kind: 'peers', peers };
}

function namespaceMatches(scope: NamespaceScope, ep: ResolvedEndpoint, policyNamespace: string): boolean {
  const ns = ep.pod?.namespace;
  if (!ns) return false;
  switch (scope.kind) {
    case 'policyNamespace':
      return ns.name === policyNamespace;
    case 'all':
      return true;
    case 'selector':
      return matchesSelector(scope.selector, ns.labels);
  }
}

export function peerMatches(peer: Peer, ep: ResolvedEndpoint, policyNamespace: string): boolean {
  if (peer.kind === 'ipBlock') {
    if (ep.v4 !== undefined) return inIpBlockV4(ep.v4, peer.block);
    return ep.address !== undefined && inIpBlock(ep.address, peer.block);
  }
  if (ep.identity !== 'pod' || !ep.pod) return false;
  return namespaceMatches(peer.namespaces, ep, policyNamespace) && matchesSelector(peer.pods, ep.pod.labels);
}

/** Index of the first matching peer, -1 when none matches; 'any' lists match everything. */
export function matchingPeer(list: PeerList, ep: ResolvedEndpoint, policyNamespace: string): number {
  if (list.kind === 'any') return 0;
  // A plain loop: this runs for every rule of every selecting policy on every flow.
  const peers = list.peers;
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i];
    if (peer && peerMatches(peer, ep, policyNamespace)) return i;
  }
  return -1;
}

// Reasons quote rules on every deny: describe each compiled peer once.
const peerText = new WeakMap<Peer, string>();

export function describePeer(peer: Peer): string {
  let text = peerText.get(peer);
  if (text === undefined) {
    text = describeUncached(peer);
    peerText.set(peer, text);
  }
  return text;
}

function describeUncached(peer: Peer): string {
  if (peer.kind === 'ipBlock') return `ipBlock ${describeIpBlock(peer.block)}`;
  const pods = peer.pods.kind === 'all' ? 'all pods' : `pods ${describeSelector(peer.pods)}`;
  switch (peer.namespaces.kind) {
    case 'policyNamespace':
      return `${pods} in the policy's namespace`;
    case 'all':
      return `${pods} in all namespaces`;
    case 'selector':
      return `${pods} in namespaces ${describeSelector(peer.namespaces.selector)}`;
  }
}

export function describePeerList(list: PeerList): string {
  return list.kind === 'any' ? 'any peer' : list.peers.map(describePeer).join('; ');
}
