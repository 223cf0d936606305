/**
 * kguardian-agent, the node agent's entry point: kg-loader (eBPF) -> decoder -> Service pairing
 * and per-bucket de-duplication with pod identity -> batches to the broker; metrics on
 * :KG_METRICS_PORT/metrics. Every piece is a module of its own; this file only wires them.
 * If kg-loader cannot start (a capability, BTF, cgroup v2 or tracefs missing), its own lines say
 * exactly what is missing and the agent exits non-zero.
 */
import { createServer } from 'node:http';
import { fileTokenSource } from '../../runtime/token-file.js';
import { BatchShipper } from './batch-shipper.js';
import { loadConfig, loaderArgs } from './config.js';
import { FlowPipeline } from './flow-pipeline.js';
import { HOST_ADDRESSES_REFRESH_MS, hostAddresses } from './host-addresses.js';
import { hostNetnsInode } from './host-netns.js';
import { LoaderProcess } from './loader-process.js';
import { AgentMetrics } from './metrics.js';
import { PodIdentityIndex } from './pod-identity.js';
import { NodeAddressIndex, RemoteAwareIdentity } from './remote-identity.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** How long records wait at most for the identity informers' first lists (a hung API server). */
const IDENTITY_SYNC_WAIT_MS = 15_000;

/** The informers, loaded lazily: if the Kubernetes client cannot load, flows are still captured
 * and shipped, with local ends of kind 'unknown', and the log says why. (On Node 20 the client
 * works with the undici pinned in package.json overrides; pod-informer.int.test.ts runs it.)
 * With remote identity, two more watch every pod and every Node for the remote ends.
 * `firstAttempts` resolves once every informer has tried to list, true when all listed. */
async function startIdentity(node: string, local: PodIdentityIndex, remote: { pods: PodIdentityIndex; nodes: NodeAddressIndex } | undefined): Promise<{ stop: () => void; firstAttempts: Promise<boolean> }> {
  try {
    const informers = await import('./pod-informer.js');
    const running = [informers.startPodInformer({ node, index: local, log })];
    if (remote) {
      running.push(informers.startClusterPodInformer({ index: remote.pods, log }), informers.startNodeInformer({ nodes: remote.nodes, log }));
    }
    return {
      stop: (): void => {
        for (const i of running) i.stop();
      },
      firstAttempts: Promise.all(running.map((i) => i.firstAttempt)).then((all) => all.every(Boolean)),
    };
  } catch (err) {
    log(`kguardian-agent: pod identity disabled, the Kubernetes client failed to load: ${String(err)}`);
    return { stop: (): void => undefined, firstAttempts: Promise.resolve(false) };
  }
}

/**
 * Waits until every informer has tried its first list (at most IDENTITY_SYNC_WAIT_MS). Identity is
 * stamped when a record is read, so a record read before the lists would name no pod: after a
 * restart the node's first connections were shipped as "unknown". kg-loader is attached
 * meanwhile; its records wait in the pipe and the ring buffer, with their kernel times. A list
 * that fails does not hold records back: the informer keeps retrying, and without an API server
 * (the benchmarks, some tests) ends are unknown whatever the wait.
 */
async function awaitIdentity(firstAttempts: Promise<boolean>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => { resolve('late'); }, IDENTITY_SYNC_WAIT_MS);
  });
  const outcome = await Promise.race([firstAttempts, late]);
  clearTimeout(timer);
  if (outcome === 'late') log(`kguardian-agent: the pod and node informers have not listed within ${IDENTITY_SYNC_WAIT_MS / 1000} s; reading flows anyway (ends not yet known are shipped as unknown)`);
  else if (!outcome) log('kguardian-agent: reading flows before the pod and node informers could list (they keep retrying); ends not yet known are shipped as unknown');
}

async function main(): Promise<number> {
  const { config, errors } = loadConfig(process.env);
  if (!config) {
    for (const e of errors) log(`kguardian-agent: ${e}`);
    return 2;
  }
  const hostNetns = hostNetnsInode();
  const identity = new PodIdentityIndex(config.nodeIps, hostNetns);
  // The host's other addresses (a CNI bridge's gateway: the source of the kubelet's probes) are the node too.
  const addHostAddresses = (): void => {
    for (const ip of hostAddresses()) identity.addNodeIp(ip);
  };
  addHostAddresses();
  setInterval(addHostAddresses, HOST_ADDRESSES_REFRESH_MS).unref();
  const remote = config.remoteIdentity ? { pods: new PodIdentityIndex(), nodes: new NodeAddressIndex() } : undefined;
  const informer = await startIdentity(config.node, identity, remote);
  const metrics = new AgentMetrics(log);
  const pipeline = new FlowPipeline({ ...config, identity: remote ? new RemoteAwareIdentity(identity, remote.pods, remote.nodes) : identity });
  const shipper = new BatchShipper({ brokerUrl: config.brokerUrl, node: config.node, token: fileTokenSource(config.tokenFile, { refreshMs: 0 }), maxBuffered: config.maxBuffered, log });
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void metrics.registry.metrics().then((body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body));
  }).listen(config.metricsPort);

  const loader = new LoaderProcess({ binary: config.loader, args: loaderArgs(config), onStderr: log });
  const ship = (all: boolean): void => {
    const ready = pipeline.flush(Date.now(), all);
    if (ready.length > 0) shipper.enqueue(ready);
    metrics.onShipper(shipper.stats);
    metrics.onPods(identity.size);
    metrics.onPairing(pipeline.pairing);
  };
  // Half a second: a new flow ships at the next tick (see FlowAggregator), and that tick is most
  // of the agent's share of the kernel-to-verdict latency; repeats still wait for their bucket.
  const timer = setInterval(() => {
    ship(false);
  }, 500);
  const stop = (): void => void loader.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  let status = 0;
  try {
    await awaitIdentity(informer.firstAttempts);
    for await (const batch of loader) {
      pipeline.push(batch, Date.now());
      if (pipeline.counters) metrics.onCounters(pipeline.counters);
      if (pipeline.conntrack) metrics.onConntrack(pipeline.conntrack);
    }
  } catch (err) {
    log(`kguardian-agent: ${String(err)}`);
    status = 1;
  }
  clearInterval(timer);
  ship(true);
  await Promise.race([shipper.idle(), new Promise((r) => setTimeout(r, 10_000))]);
  if (shipper.stats.buffered > 0) log(`kguardian-agent: exiting with ${shipper.stats.buffered} observations not delivered to the broker`);
  informer.stop();
  server.close();
  return status;
}

// Exit explicitly: a shipper still retrying an unreachable broker would keep the loop alive.
process.exit(await main());
