/**
 * Groups pods into workloads: each pod goes under its top controller, found by following
 * ownerReferences (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob). A ReplicaSet missing
 * from the snapshot is still known to belong to a Deployment when its name is the Deployment's
 * plus the pod's pod-template-hash, as the Deployment controller names it. A pod without an owner
 * is a workload of its own. The selector is the stable labels of the controller's pod template
 * or, without the controller object, the stable labels all its pods share.
 */
import { controllerKey, type Controller, type OwnerRef, type Snapshot, type SnapshotPod } from './snapshot.js';
import { sharedStableLabels, stableLabels } from './stable-labels.js';
import { type GenCluster, type Workload } from './types.js';

/** Owner chains are short (two links in the built-in controllers); this bounds a malformed loop. */
const MAX_OWNER_DEPTH = 4;

interface Top {
  kind: string;
  name: string;
  controller: Controller | undefined;
}

function inferredDeployment(pod: SnapshotPod, owner: OwnerRef): OwnerRef | undefined {
  const hash = pod.info.labels['pod-template-hash'];
  if (owner.kind !== 'ReplicaSet' || hash === undefined || !owner.name.endsWith(`-${hash}`)) return undefined;
  return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
}

function topController(pod: SnapshotPod, controllers: Snapshot['controllers']): Top {
  const namespace = pod.info.namespace;
  if (!pod.owner) return { kind: 'Pod', name: pod.info.name, controller: undefined };
  let owner: OwnerRef = pod.owner;
  let controller = controllers.get(controllerKey(owner.kind, namespace, owner.name));
  for (let depth = 0; depth < MAX_OWNER_DEPTH; depth++) {
    const next: OwnerRef | undefined = controller ? controller.owner : inferredDeployment(pod, owner);
    if (!next) break;
    owner = next;
    controller = controllers.get(controllerKey(owner.kind, namespace, owner.name));
  }
  return { kind: owner.kind, name: owner.name, controller };
}

function selectorOf(top: Top, pods: readonly SnapshotPod[]): Record<string, string> {
  if (top.controller?.templateLabels) return stableLabels(top.controller.templateLabels, top.kind);
  return sharedStableLabels(
    pods.map((p) => p.info.labels),
    top.kind,
  );
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function groupWorkloads(snapshot: Snapshot): GenCluster {
  const groups = new Map<string, { top: Top; namespace: string; pods: SnapshotPod[] }>();
  for (const pod of snapshot.pods) {
    const top = topController(pod, snapshot.controllers);
    const key = controllerKey(top.kind, pod.info.namespace, top.name);
    const group = groups.get(key) ?? { top, namespace: pod.info.namespace, pods: [] };
    group.pods.push(pod);
    groups.set(key, group);
  }
  const workloads: Workload[] = [...groups.values()].map(({ top, namespace, pods }) => ({
    kind: top.kind,
    namespace,
    name: top.name,
    selector: selectorOf(top, pods),
    pods: pods.map((p) => p.info).sort((a, b) => a.name.localeCompare(b.name)),
    hostNetwork: pods.every((p) => p.info.hostNetwork),
  }));
  workloads.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
  const workloadOfPod = new Map<string, Workload>();
  const podByIp = new Map<string, string>();
  for (const w of workloads)
    for (const pod of w.pods) {
      const key = podKey(pod.namespace, pod.name);
      workloadOfPod.set(key, w);
      if (!pod.hostNetwork) for (const ip of pod.ips) podByIp.set(ip, key);
    }
  const namespaces = new Set([...snapshot.namespaces.map((n) => n.name), ...workloads.map((w) => w.namespace)]);
  return { workloads, workloadOfPod, podByIp, nodeAddresses: new Set(snapshot.nodeAddresses), namespaces };
}
