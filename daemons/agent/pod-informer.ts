/**
 * Feeds PodIdentityIndex from a Pod informer filtered to this node (fieldSelector
 * spec.nodeName), so the agent knows which pod owns each local address; with remote identity on
 * (remote-identity.ts) also a second index from every pod of the cluster, and the Nodes'
 * addresses. Each informer is kept running by runtime/informer-supervisor.ts (capped exponential
 * backoff after errors, prompt stop), and each restart is logged with its reason.
 */
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type KubernetesObject, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Sleep } from '../../runtime/abortable-sleep.js';
import { InformerSupervisor } from '../../runtime/informer-supervisor.js';
import type { PodAddresses, PodIdentityIndex } from './pod-identity.js';
import type { NodeAddressIndex } from './remote-identity.js';

export interface PodInformerOptions {
  /** Defaults to the in-cluster or ~/.kube/config configuration. */
  kubeConfig?: KubeConfig;
  node: string;
  index: PodIdentityIndex;
  log: (line: string) => void;
  /** The wait between restarts: an abortable sleep unless a test passes another. */
  delay?: Sleep;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** A pod's addresses as the index wants them; undefined until it has an IP and a uid, and once
 * it has finished (Succeeded or Failed): the kubelet has released its IPs for reuse. */
export function podAddresses(pod: V1Pod): PodAddresses | undefined {
  const uid = pod.metadata?.uid;
  const ips = podIps(pod);
  if (!uid || ips.length === 0 || TERMINAL.has(pod.status?.phase ?? '')) return undefined;
  return { ...podName(pod, uid), uid, hostNetwork: pod.spec?.hostNetwork === true, ips, ...createdAt(pod) };
}

function podIps(pod: V1Pod): string[] {
  return (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
}

function podName(pod: V1Pod, uid: string): { namespace: string; name: string } {
  return { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? uid };
}

function createdAt(pod: V1Pod): { createdMs?: number } {
  const created = pod.metadata?.creationTimestamp;
  return created ? { createdMs: new Date(created).getTime() } : {};
}

/** A running informer. Neither promise rejects. */
export interface RunningInformer {
  stop: () => void;
  /** Resolves once a list is in the index. */
  synced: Promise<void>;
  /** Resolves with the outcome of the first attempt to list: true when listed, false when it failed. */
  firstAttempt: Promise<boolean>;
}

export function startPodInformer(options: PodInformerOptions): RunningInformer {
  return podInformer(options, options.node);
}

/** Every pod of the cluster, for the remote end's identity only (remote-identity.ts). */
export function startClusterPodInformer(options: Omit<PodInformerOptions, 'node'>): RunningInformer {
  return podInformer(options, undefined);
}

export interface NodeInformerOptions extends Omit<PodInformerOptions, 'node' | 'index'> {
  nodes: NodeAddressIndex;
}

/** Node address types that other hosts' packets carry (not host names). */
const NODE_ADDRESS_TYPES = new Set(['InternalIP', 'ExternalIP']);

export function nodeAddresses(node: V1Node): string[] {
  return (node.status?.addresses ?? []).filter((a) => NODE_ADDRESS_TYPES.has(a.type)).map((a) => a.address);
}

/** The cluster's Nodes and their addresses: remote ends at another node's address are kind `node`. */
export function startNodeInformer(options: NodeInformerOptions): RunningInformer {
  const kubeConfig = clientConfig(options.kubeConfig);
  const api = kubeConfig.makeApiClient(CoreV1Api);
  const informer: Informer<V1Node> = makeInformer(kubeConfig, '/api/v1/nodes', () => api.listNode());
  const upsert = (node: V1Node): void => {
    if (node.metadata?.name) options.nodes.upsertNode(node.metadata.name, nodeAddresses(node));
  };
  informer.on('add', upsert);
  informer.on('update', upsert);
  informer.on('delete', (node) => {
    if (node.metadata?.name) options.nodes.deleteNode(node.metadata.name);
  });
  return keepRunning(informer, 'node informer', options);
}

function clientConfig(given: KubeConfig | undefined): KubeConfig {
  if (given) return given;
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

/** A pod informer into `index`: this node's pods with `node`, the whole cluster's without. */
function podInformer(options: Omit<PodInformerOptions, 'node'>, node: string | undefined): RunningInformer {
  const { index } = options;
  const kubeConfig = clientConfig(options.kubeConfig);
  const api = kubeConfig.makeApiClient(CoreV1Api);
  const fieldSelector = node === undefined ? undefined : `spec.nodeName=${node}`;
  const path = fieldSelector === undefined ? '/api/v1/pods' : `/api/v1/pods?fieldSelector=${encodeURIComponent(fieldSelector)}`;
  const informer: Informer<V1Pod> = makeInformer(kubeConfig, path, () => api.listPodForAllNamespaces(fieldSelector === undefined ? {} : { fieldSelector }));
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
  return keepRunning(informer, node === undefined ? 'cluster pod informer' : 'pod informer', options);
}

/** Keeps `informer` running (runtime/informer-supervisor.ts), logging each restart and why. */
function keepRunning<T extends KubernetesObject>(informer: Informer<T>, what: string, options: Pick<PodInformerOptions, 'log' | 'delay'>): RunningInformer {
  let markSynced = (): void => undefined;
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  let markFirst: (listed: boolean) => void = () => undefined;
  const firstAttempt = new Promise<boolean>((resolve) => {
    markFirst = resolve;
  });
  const supervisor = new InformerSupervisor<T>({
    make: () => informer,
    started: (clean) => {
      markFirst(clean);
      if (clean) markSynced();
    },
    restarting: (wait, reason) => {
      markFirst(false);
      options.log(`kguardian-agent: ${what} stopped (${String(reason)}), restarting in ${wait} ms`);
    },
    // The first restart waits 1 s.
    initialBackoffMs: 1000,
    maxBackoffMs: 30_000,
    ...(options.delay ? { sleep: options.delay } : {}),
  });
  supervisor.start();
  return {
    stop: (): void => {
      void supervisor.stop();
    },
    synced,
    firstAttempt,
  };
}
