/**
 * The agent's Pod informer against the real test API server: it keeps PodIdentityIndex in step
 * with the pods bound to its node (and only those) through creates, IP changes, deletes and an IP
 * handed from one pod to the next, and after its watch is cut (a proxy drops every connection and
 * refuses new ones) it restarts, relists, and catches up with what changed while it was blind.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig } from '../../test/kube/client.js';
import { createTestNamespace, deleteTestNamespace } from '../../test/kube/namespace.js';
import { createPod, createRunningPod, setPodStatus, TEST_NODE } from '../../test/kube/pods.js';
import { PodIdentityIndex } from './pod-identity.js';
import { startPodInformer } from './pod-informer.js';
import { CuttableProxy } from './testing/cuttable-proxy.js';

let kc: KubeConfig;
let ns: string;
let proxy: CuttableProxy;
let index: PodIdentityIndex;
let informer: { stop: () => void };
const log: string[] = [];
/** A /24 of its own per run: IPs are what the index is keyed by. */
const net = `10.${100 + (randomBytes(1).readUInt8(0) % 100)}.${randomBytes(1).readUInt8(0)}`;
const ip = (host: number): string => `${net}.${host}`;

/** The same credentials, with the server reached through the proxy. */
function throughProxy(base: KubeConfig, port: number): KubeConfig {
  const cluster = base.getCurrentCluster()!;
  const server = new URL(cluster.server);
  const kc2 = new KubeConfig();
  kc2.loadFromOptions({
    clusters: [{ ...cluster, server: `${server.protocol}//127.0.0.1:${port}`, tlsServerName: server.hostname }],
    users: base.getUsers(),
    contexts: base.getContexts(),
    currentContext: base.getCurrentContext(),
  });
  return kc2;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; informer log: ${log.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const owner = (address: string): string | undefined => index.resolve(address).pod;

async function deletePod(name: string): Promise<void> {
  // Grace 0: no kubelet here to confirm a graceful stop, so the object goes at once.
  await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 });
}

beforeAll(async () => {
  kc = kubeConfig();
  ns = await createTestNamespace(kc, 'kg-agent-informer');
  const server = new URL(kc.getCurrentCluster()!.server);
  proxy = await CuttableProxy.start(server.hostname, Number(server.port || 443));
  index = new PodIdentityIndex();
  informer = startPodInformer({
    kubeConfig: throughProxy(kc, proxy.port),
    node: TEST_NODE,
    index,
    log: (l) => log.push(l),
    delay: () => new Promise((r) => setTimeout(r, 50)),
  });
}, 120_000);

afterAll(async () => {
  informer?.stop();
  await proxy?.close();
  if (ns) await deleteTestNamespace(kc, ns);
});

describe('the Pod informer on the real API server', () => {
  it('learns pods of its node with their namespace, name and uid', async () => {
    const pod = await createRunningPod(kc, ns, 'web-1', [ip(1)]);
    await until('web-1 in the index', () => owner(ip(1)) === 'web-1');
    expect(index.resolve(ip(1))).toEqual({ kind: 'pod', namespace: ns, pod: 'web-1', podUid: pod.metadata!.uid });
  });

  it('ignores pods bound to other nodes', async () => {
    await kc.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'elsewhere' }, spec: { nodeName: 'kg-other-node', containers: [{ name: 'main', image: 'registry.invalid/x:never' }] } },
    });
    await setPodStatus(kc, ns, 'elsewhere', { phase: 'Running', podIPs: [ip(2)] });
    // A pod of our node created afterwards: once it shows, the other's events have been seen too.
    await createRunningPod(kc, ns, 'sentinel', [ip(3)]);
    await until('sentinel in the index', () => owner(ip(3)) === 'sentinel');
    expect(index.resolve(ip(2))).toEqual({ kind: 'external' });
  });

  it('waits for a pending pod\'s IP, then follows IP changes', async () => {
    await createPod(kc, ns, 'late');
    await setPodStatus(kc, ns, 'late', { phase: 'Running', podIPs: [ip(4), `fd00:77::4`] });
    await until('late with both IPs', () => owner(ip(4)) === 'late' && owner('fd00:77::4') === 'late');
    await setPodStatus(kc, ns, 'late', { podIPs: [ip(5)] });
    await until('late moved to its new IP', () => owner(ip(5)) === 'late' && owner(ip(4)) === undefined);
    expect(owner('fd00:77::4')).toBeUndefined();
  });

  it('forgets a pod once it has finished (its IPs are free for reuse)', async () => {
    await createRunningPod(kc, ns, 'job', [ip(12)]);
    await until('job in the index', () => owner(ip(12)) === 'job');
    await setPodStatus(kc, ns, 'job', { phase: 'Succeeded' });
    await until('job out of the index', () => owner(ip(12)) === undefined);
  });

  it('forgets a deleted pod', async () => {
    await createRunningPod(kc, ns, 'gone', [ip(6)]);
    await until('gone in the index', () => owner(ip(6)) === 'gone');
    await deletePod('gone');
    await until('gone out of the index', () => owner(ip(6)) === undefined);
  });

  it('keeps a reused IP with its new pod when the old pod\'s delete arrives after', async () => {
    await createRunningPod(kc, ns, 'old', [ip(7)]);
    await until('old in the index', () => owner(ip(7)) === 'old');
    // Creation times have one-second resolution, and they are what tells old from new.
    await new Promise((r) => setTimeout(r, 1100));
    await createRunningPod(kc, ns, 'new', [ip(7)]);
    await until('new owns the IP', () => owner(ip(7)) === 'new');
    await deletePod('old');
    await createRunningPod(kc, ns, 'sentinel-2', [ip(8)]);
    await until('sentinel-2 in the index', () => owner(ip(8)) === 'sentinel-2');
    expect(owner(ip(7))).toBe('new');
  });

  it('restarts after its watch is cut and relists what changed meanwhile', async () => {
    await createRunningPod(kc, ns, 'before-cut', [ip(9)]);
    await until('before-cut in the index', () => owner(ip(9)) === 'before-cut');
    proxy.cutAll();
    await deletePod('before-cut');
    await createRunningPod(kc, ns, 'during-cut', [ip(10)]);
    await until('the informer to notice the outage', () => log.some((l) => l.includes('pod informer stopped')));
    expect(owner(ip(10))).toBeUndefined();
    proxy.restore();
    await until('during-cut in the index', () => owner(ip(10)) === 'during-cut', 60_000);
    await until('before-cut out of the index', () => owner(ip(9)) === undefined);
    // Still watching after the restart, not only relisted once.
    await createRunningPod(kc, ns, 'after-cut', [ip(11)]);
    await until('after-cut in the index', () => owner(ip(11)) === 'after-cut');
  }, 90_000);

  it('says its first list failed, and is synced only once a list is in the index', async () => {
    await createRunningPod(kc, ns, 'listed', [ip(12)]);
    const cut = await CuttableProxy.start(new URL(kc.getCurrentCluster()!.server).hostname, Number(new URL(kc.getCurrentCluster()!.server).port || 443));
    cut.cutAll();
    const own = new PodIdentityIndex();
    const lines: string[] = [];
    const second = startPodInformer({ kubeConfig: throughProxy(kc, cut.port), node: TEST_NODE, index: own, log: (l) => lines.push(l), delay: () => new Promise((r) => setTimeout(r, 50)) });
    let synced = false;
    void second.synced.then(() => { synced = true; });
    try {
      expect(await second.firstAttempt).toBe(false);
      await until('a failed start', () => lines.some((l) => l.includes('pod informer stopped')));
      expect(synced).toBe(false);
      cut.restore();
      await second.synced;
      // Nothing awaited in between: the listed pod is in the index when synced resolves.
      expect(own.resolve(ip(12)).pod).toBe('listed');
      // And with the API server reachable from the start, the first attempt lists it.
      const third = new PodIdentityIndex();
      const direct = startPodInformer({ kubeConfig: kc, node: TEST_NODE, index: third, log: (l) => lines.push(l) });
      try {
        expect(await direct.firstAttempt).toBe(true);
        expect(third.resolve(ip(12)).pod).toBe('listed');
      } finally {
        direct.stop();
      }
    } finally {
      second.stop();
      await cut.close();
    }
  }, 90_000);
});
