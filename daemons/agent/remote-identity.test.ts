import { describe, expect, it } from 'vitest';
import { PodIdentityIndex, type PodAddresses } from './pod-identity.js';
import { NodeAddressIndex, RemoteAwareIdentity } from './remote-identity.js';

const HOST_NETNS = 4026531840;
const pod = (name: string, ips: string[], createdMs: number, over: Partial<PodAddresses> = {}): PodAddresses => ({
  namespace: 'shop',
  name,
  uid: `uid-${name}`,
  hostNetwork: false,
  ips,
  createdMs,
  ...over,
});

/** This node (10.0.1.0/24, node IP 192.168.0.1) and another (10.0.2.0/24, node IP 192.168.0.2). */
function cluster(): { identity: RemoteAwareIdentity; local: PodIdentityIndex; pods: PodIdentityIndex; nodes: NodeAddressIndex } {
  const local = new PodIdentityIndex(['192.168.0.1'], HOST_NETNS);
  const pods = new PodIdentityIndex();
  const nodes = new NodeAddressIndex();
  const here = pod('web', ['10.0.1.5'], 1);
  local.upsertPod(here);
  pods.upsertPod(here);
  pods.upsertPod(pod('db', ['10.0.2.7', 'fd00:2::7'], 1));
  pods.upsertPod(pod('node-exporter', ['192.168.0.2'], 1, { hostNetwork: true }));
  nodes.upsertNode('node-a', ['192.168.0.1']);
  nodes.upsertNode('node-b', ['192.168.0.2', '203.0.113.2']);
  return { identity: new RemoteAwareIdentity(local, pods, nodes), local, pods, nodes };
}

describe('RemoteAwareIdentity', () => {
  it.each([
    ['a pod on another node', '10.0.2.7', { kind: 'pod', namespace: 'shop', pod: 'db', podUid: 'uid-db' }],
    ['its IPv6 address', 'fd00:2::7', { kind: 'pod', namespace: 'shop', pod: 'db', podUid: 'uid-db' }],
    ['a pod of this node', '10.0.1.5', { kind: 'pod', namespace: 'shop', pod: 'web', podUid: 'uid-web' }],
    ['another node (hostNetwork pods share it)', '192.168.0.2', { kind: 'node' }],
    ['another node\'s external address', '203.0.113.2', { kind: 'node' }],
    ['this node', '192.168.0.1', { kind: 'node' }],
    ['anything else', '8.8.8.8', { kind: 'external' }],
  ])('a remote end at %s (%s)', (_what, ip, expected) => {
    expect(cluster().identity.resolve(ip)).toEqual(expected);
  });

  it('never names a local end from the cluster-wide index: only this node\'s pods own local sockets', () => {
    const { identity } = cluster();
    expect(identity.resolveLocal('10.0.1.5', 7)).toMatchObject({ pod: 'web' });
    // Another namespace than web's: a socket in web's own namespace is web's whatever its address
    // (pod-identity.ts learns namespaces), which is not the cluster-wide index answering.
    expect(identity.resolveLocal('10.0.2.7', 8)).toEqual({ kind: 'unknown' });
    expect(identity.resolveLocal('192.168.0.1', HOST_NETNS)).toEqual({ kind: 'host' });
    expect(identity.resolveLocal('10.9.9.9', HOST_NETNS)).toEqual({ kind: 'host' });
  });

  it('gives a reused IP to the newest pod claiming it, cluster-wide, whatever the event order', () => {
    const { identity, pods } = cluster();
    pods.upsertPod(pod('new-db', ['10.0.2.7'], 5));
    pods.upsertPod(pod('db', ['10.0.2.7', 'fd00:2::7'], 1)); // the old pod's late update
    expect(identity.resolve('10.0.2.7').pod).toBe('new-db');
    pods.deletePod('uid-new-db');
    expect(identity.resolve('10.0.2.7').pod).toBe('db');
    pods.deletePod('uid-db');
    expect(identity.resolve('10.0.2.7')).toEqual({ kind: 'external' });
  });

  it('follows Node address changes and deletions; an address two nodes list stays until both drop it', () => {
    const { identity, nodes } = cluster();
    nodes.upsertNode('node-b', ['192.168.0.3']);
    expect(identity.resolve('192.168.0.2')).toEqual({ kind: 'external' });
    expect(identity.resolve('192.168.0.3')).toEqual({ kind: 'node' });
    nodes.upsertNode('node-c', ['192.168.0.3']);
    nodes.deleteNode('node-b');
    expect(identity.resolve('192.168.0.3')).toEqual({ kind: 'node' });
    nodes.deleteNode('node-c');
    expect(identity.resolve('192.168.0.3')).toEqual({ kind: 'external' });
    expect(nodes.size).toBe(1);
  });
});
