/**
 * Reads the cluster file of `gen networkpolicy --cluster`: what
 * `kubectl get namespaces,nodes,pods,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs -A -o yaml`
 * prints. Pods become the engine's PodInfo plus who owns them and which node they run on;
 * controllers contribute their pod-template labels and their own owners (a ReplicaSet's
 * Deployment); Nodes their addresses. Every other kind is counted and ignored, never refused.
 */
import type { NamespaceInfo, PodInfo } from '../../policy/index.js';
import { canonicalIp, namespaceFromObject, podFromObject } from '../../policy/index.js';
import { readObjects, type LocatedObject } from '../audit-test/objects.js';
import { InputError } from '../errors.js';
import type { Source } from '../input/read-source.js';

type Raw = Record<string, unknown>;

export interface OwnerRef {
  kind: string;
  name: string;
}

export interface SnapshotPod {
  info: PodInfo;
  owner: OwnerRef | undefined;
  /** The node's addresses as the pod's status gives them (canonical). */
  hostIps: string[];
}

export interface Controller {
  kind: string;
  namespace: string;
  name: string;
  owner: OwnerRef | undefined;
  /** Labels of the pod template, when the object has one. */
  templateLabels: Record<string, string> | undefined;
}

export interface Snapshot {
  namespaces: NamespaceInfo[];
  pods: SnapshotPod[];
  /** By "kind/namespace/name". */
  controllers: Map<string, Controller>;
  nodeAddresses: string[];
  ignored: Record<string, number>;
}

const CONTROLLER_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(obj: unknown, ...path: string[]): unknown {
  let v = obj;
  for (const p of path) v = isRecord(v) ? v[p] : undefined;
  return v;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** The managing owner (controller: true), else the first one named. */
export function ownerOf(obj: unknown): OwnerRef | undefined {
  const refs = at(obj, 'metadata', 'ownerReferences');
  if (!Array.isArray(refs)) return undefined;
  const named = refs.filter((r): r is Raw => isRecord(r) && typeof r.kind === 'string' && typeof r.name === 'string');
  const ref = named.find((r) => r.controller === true) ?? named[0];
  return ref ? { kind: ref.kind as string, name: ref.name as string } : undefined;
}

export function controllerKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function ips(values: unknown[]): string[] {
  return values.map((v) => (typeof v === 'string' ? canonicalIp(v) : undefined)).filter((ip): ip is string => ip !== undefined);
}

function hostIpsOf(obj: unknown): string[] {
  const list = at(obj, 'status', 'hostIPs');
  const listed = Array.isArray(list) ? list.map((e) => at(e, 'ip')) : [];
  return ips([...listed, at(obj, 'status', 'hostIP')]);
}

function nodeAddressesOf(obj: unknown): string[] {
  const list = at(obj, 'status', 'addresses');
  if (!Array.isArray(list)) return [];
  return ips(list.filter((a) => at(a, 'type') === 'InternalIP' || at(a, 'type') === 'ExternalIP').map((a) => at(a, 'address')));
}

function templateLabelsOf(kind: string, obj: unknown): Record<string, string> | undefined {
  const template = kind === 'CronJob' ? at(obj, 'spec', 'jobTemplate', 'spec', 'template') : at(obj, 'spec', 'template');
  return stringMap(at(template, 'metadata', 'labels'));
}

function addPod(snapshot: Snapshot, nodeAddresses: Set<string>, info: PodInfo, obj: unknown): void {
  const hostIps = hostIpsOf(obj);
  snapshot.pods.push({ info, owner: ownerOf(obj), hostIps });
  for (const ip of [...hostIps, ...(info.hostNetwork ? info.ips : [])]) nodeAddresses.add(ip);
}

export function loadSnapshot(source: Source): Snapshot {
  const snapshot: Snapshot = { namespaces: [], pods: [], controllers: new Map(), nodeAddresses: [], ignored: {} };
  const nodeAddresses = new Set<string>();
  for (const o of readObjects(source)) addObject(snapshot, nodeAddresses, o);
  snapshot.nodeAddresses = [...nodeAddresses].sort();
  return snapshot;
}

/** One object of the file into the snapshot, by its kind; kinds it has no use for are counted. */
function addObject(snapshot: Snapshot, nodeAddresses: Set<string>, o: LocatedObject): void {
  if (o.kind === 'Namespace') {
    const ns = namespaceFromObject(o.object);
    if (!ns.ok) throw new InputError({ ...o.location, field: `${o.fieldPrefix}metadata.name` }, ns.reason);
    snapshot.namespaces.push(ns.value);
  } else if (o.kind === 'Pod') {
    const pod = podFromObject(o.object);
    if (!pod.ok && pod.reason.includes('metadata.name')) throw new InputError({ ...o.location, field: `${o.fieldPrefix}metadata.name` }, pod.reason);
    if (pod.ok) addPod(snapshot, nodeAddresses, pod.value, o.object);
  } else if (o.kind === 'Node') {
    for (const ip of nodeAddressesOf(o.object)) nodeAddresses.add(ip);
  } else {
    const controller = controllerOf(o);
    if (controller) snapshot.controllers.set(controllerKey(controller.kind, controller.namespace, controller.name), controller);
    else snapshot.ignored[o.kind] = (snapshot.ignored[o.kind] ?? 0) + 1;
  }
}

/** A named object of a controller kind as a Controller; undefined for anything else. */
function controllerOf(o: LocatedObject): Controller | undefined {
  const name = at(o.object, 'metadata', 'name');
  if (!CONTROLLER_KINDS.has(o.kind) || typeof name !== 'string' || name === '') return undefined;
  const namespace = at(o.object, 'metadata', 'namespace');
  const ns = typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
  return { kind: o.kind, namespace: ns, name, owner: ownerOf(o.object), templateLabels: templateLabelsOf(o.kind, o.object) };
}
