/**
 * Gives a lab's netns "pods" their Pod objects in a real API server: bound to the control plane's
 * node, Running, with the lab's IPv4 and IPv6 addresses as pod IPs, so the agent's Pod informer
 * stamps the lab's traffic with their names and uids.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createRunningPod, TEST_NODE } from '../kube/pods.js';
import type { LabPod } from './lab.js';

/** The node name the Pod objects are bound to (the agent's KG_NODE_NAME). */
export const LAB_NODE = TEST_NODE;

/** Creates one Pod per lab pod in `namespace`; returns each pod's uid by name. */
export async function registerLabPods(kc: KubeConfig, namespace: string, pods: readonly LabPod[], labels: Record<string, string> = {}): Promise<Map<string, string>> {
  const uids = new Map<string, string>();
  for (const p of pods) {
    const pod = await createRunningPod(kc, namespace, p.name, [p.ipv4, p.ipv6], { labels: { app: p.name, ...labels } });
    uids.set(p.name, pod.metadata?.uid ?? '');
  }
  return uids;
}
