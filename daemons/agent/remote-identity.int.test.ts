/**
 * Remote identity against the real test API server: the agent's three informers (this node's
 * pods, every pod, every Node) feed RemoteAwareIdentity, which names a pod on ANOTHER node as the
 * remote end (newest claimant of a reused IP), another node's address as `node` (its hostNetwork
 * pods too), and still never takes a local end from outside this node.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig } from '../../test/kube/client.js';
import { createTestNamespace, deleteTestNamespace } from '../../test/kube/namespace.js';
import { createRunningPod, setPodStatus, TEST_NODE } from '../../test/kube/pods.js';
import { PodIdentityIndex } from './pod-identity.js';
import { startClusterPodInformer, startNodeInformer, startPodInformer } from './pod-informer.js';
import { NodeAddressIndex, RemoteAwareIdentity } from './remote-identity.js';

let kc: KubeConfig;
let ns: string;
let identity: RemoteAwareIdentity;
const stops: (() => void)[] = [];
const log: string[] = [];
const suffix = randomBytes(3).toString('hex');
const otherNode = `kg-remote-${suffix}`;
/** A /24 of its own per run, and another node's address in TEST-NET-2. */
const net = `10.${100 + (randomBytes(1).readUInt8(0) % 100)}.${randomBytes(1).readUInt8(0)}`;
const ip = (host: number): string => `${net}.${host}`;
const otherNodeIp = `198.51.100.${1 + (randomBytes(1).readUInt8(0) % 250)}`;

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; informer log: ${log.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pod bound to `node` (no kubelet: the test writes its status). */
async function podOn(node: string, name: string, ips: string[], hostNetwork = false): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: ns,
    body: { metadata: { name }, spec: { nodeName: node, hostNetwork, containers: [{ name: 'main', image: 'registry.invalid/x:never' }] } },
  });
  await setPodStatus(kc, ns, name, { phase: 'Running', podIPs: ips });
}

const remote = (address: string): ReturnType<RemoteAwareIdentity['resolve']> => identity.resolve(address);

beforeAll(async () => {
  kc = kubeConfig();
  ns = await createTestNamespace(kc, 'kg-agent-remote');
  const local = new PodIdentityIndex([], 4026531840);
  const pods = new PodIdentityIndex();
  const nodes = new NodeAddressIndex();
  identity = new RemoteAwareIdentity(local, pods, nodes);
  const common = { kubeConfig: kc, log: (l: string) => log.push(l), delay: () => new Promise<void>((r) => setTimeout(r, 50)) };
  stops.push(startPodInformer({ ...common, node: TEST_NODE, index: local }).stop);
  stops.push(startClusterPodInformer({ ...common, index: pods }).stop);
  stops.push(startNodeInformer({ ...common, nodes }).stop);
  // Nodes accept their status on create; nothing else manages this one.
  await kc.makeApiClient(CoreV1Api).createNode({
    body: { metadata: { name: otherNode }, status: { addresses: [{ type: 'InternalIP', address: otherNodeIp }, { type: 'Hostname', address: otherNode }] } },
  });
}, 120_000);

afterAll(async () => {
  for (const stop of stops) stop();
  await kc.makeApiClient(CoreV1Api).deleteNode({ name: otherNode }).catch(() => undefined);
  if (ns) await deleteTestNamespace(kc, ns);
});

describe('remote identity on the real API server', () => {
  it('names a pod on another node as the remote end, never as a local one', async () => {
    await podOn(otherNode, 'db', [ip(1), `fd00:78::1`]);
    await until('db known cluster-wide', () => remote(ip(1)).pod === 'db');
    expect(remote('fd00:78::1')).toMatchObject({ kind: 'pod', namespace: ns, pod: 'db' });
    expect(identity.resolveLocal(ip(1), 7)).toEqual({ kind: 'unknown' });
  });

  it('names this node\'s pods both ways', async () => {
    await createRunningPod(kc, ns, 'web', [ip(2)]);
    await until('web known', () => remote(ip(2)).pod === 'web' && identity.resolveLocal(ip(2), 7).pod === 'web');
  });

  it('marks another node\'s address (and its hostNetwork pods) as node, host names aside', async () => {
    await until('the other node\'s address', () => remote(otherNodeIp).kind === 'node');
    await podOn(otherNode, 'exporter', [otherNodeIp], true);
    await podOn(otherNode, 'sentinel', [ip(3)]);
    await until('sentinel known', () => remote(ip(3)).pod === 'sentinel');
    expect(remote(otherNodeIp)).toEqual({ kind: 'node' });
    expect(remote(otherNode)).toEqual({ kind: 'external' });
  });

  it('gives a reused IP on another node to the newest pod claiming it', async () => {
    await podOn(otherNode, 'old', [ip(4)]);
    await until('old known', () => remote(ip(4)).pod === 'old');
    await new Promise((r) => setTimeout(r, 1100)); // creation times have one-second resolution
    await podOn(otherNode, 'new', [ip(4)]);
    await until('new holds the IP', () => remote(ip(4)).pod === 'new');
    await setPodStatus(kc, ns, 'old', { phase: 'Running', podIPs: [ip(4)] }); // the old pod's late update
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'old', namespace: ns, gracePeriodSeconds: 0 });
    await podOn(otherNode, 'sentinel-2', [ip(5)]);
    await until('sentinel-2 known', () => remote(ip(5)).pod === 'sentinel-2');
    expect(remote(ip(4)).pod).toBe('new');
  });

  it('forgets a deleted Node\'s addresses', async () => {
    await kc.makeApiClient(CoreV1Api).deleteNode({ name: otherNode });
    await until('the node gone', () => remote(otherNodeIp).kind === 'external');
  });
});
