/**
 * Feeds PodIdentityIndex from a Pod informer filtered to this node (fieldSelector
 * spec.nodeName), so the agent knows which pod owns each local address. The client's informer
 * stops on most errors: it is restarted with capped exponential backoff through an injectable
 * delay, and each restart is logged with its reason.
 */
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type V1Pod } from '@kubernetes/client-node';
import type { PodAddresses, PodIdentityIndex } from './pod-identity.js';

export interface PodInformerOptions {
  /** Defaults to the in-cluster or ~/.kube/config configuration. */
  kubeConfig?: KubeConfig;
  node: string;
  index: PodIdentityIndex;
  log: (line: string) => void;
  delay?: (ms: number) => Promise<void>;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** A pod's addresses as the index wants them; undefined until it has an IP and a uid, and once
 * it has finished (Succeeded or Failed): the kubelet has released its IPs for reuse. */
export function podAddresses(pod: V1Pod): PodAddresses | undefined {
  const uid = pod.metadata?.uid;
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (!uid || ips.length === 0 || TERMINAL.has(pod.status?.phase ?? '')) return undefined;
  const created = pod.metadata?.creationTimestamp;
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? uid,
    uid,
    hostNetwork: pod.spec?.hostNetwork === true,
    ips,
    ...(created ? { createdMs: new Date(created).getTime() } : {}),
  };
}

export function startPodInformer(options: PodInformerOptions): { stop: () => void } {
  const { node, index, log } = options;
  const kubeConfig = options.kubeConfig ?? new KubeConfig();
  if (!options.kubeConfig) kubeConfig.loadFromDefault();
  const delay = options.delay ?? ((ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms)));
  const api = kubeConfig.makeApiClient(CoreV1Api);
  const fieldSelector = `spec.nodeName=${node}`;
  const informer: Informer<V1Pod> = makeInformer(kubeConfig, `/api/v1/pods?fieldSelector=${encodeURIComponent(fieldSelector)}`, () =>
    api.listPodForAllNamespaces({ fieldSelector }),
  );
  const upsert = (pod: V1Pod): void => {
    const addrs = podAddresses(pod);
    if (addrs) index.upsertPod(addrs);
    else if (pod.metadata?.uid) index.deletePod(pod.metadata.uid); // finished, or its IPs removed
  };
  informer.on('add', upsert);
  informer.on('update', upsert);
  informer.on('delete', (pod) => {
    if (pod.metadata?.uid) index.deletePod(pod.metadata.uid);
  });
  let stopped = false;
  let failures = 0;
  const start = async (): Promise<void> => {
    try {
      await informer.start();
      failures = 0;
    } catch (err) {
      await restart(err);
    }
  };
  const restart = async (err: unknown): Promise<void> => {
    if (stopped) return;
    failures++;
    const wait = Math.min(30_000, 500 * 2 ** Math.min(failures, 10));
    log(`kguardian-agent: pod informer stopped (${String(err)}), restarting in ${wait} ms`);
    await delay(wait);
    if (!stopped) await start();
  };
  informer.on('error', (err: unknown) => void restart(err));
  void start();
  return {
    stop: (): void => {
      stopped = true;
      void informer.stop();
    },
  };
}
