/**
 * The cluster as the engine sees it, indexed for evaluation and kept current by small
 * incremental updates (a pod relabelled, a policy added, a namespace relabelled) without
 * rebuilding the world. Each pod carries the set of policies that select it, so judging a
 * flow touches only those policies, never the whole policy list.
 */
import type { Address } from './address.js';
import type { AddressEntry } from './address.js';
import { canonicalAddress, family, ipv4Int, lookupAddress, parseAddress } from './address.js';
import type { CompiledPolicy, TargetNamespaces } from './compiled.js';
import { policyId } from './compiled.js';
import type { CompileResult } from './compile.js';
import { compilePolicy } from './compile.js';
import type { NamespaceEntry, PodEntry, ResolvedEndpoint } from './model.js';
import { NAMESPACE_NAME_LABEL } from './model.js';
import { matchesSelector, toLabelMap, type LabelMap } from './selector.js';
import type { FlowEndpoint, NamedEnd, NamespaceInfo, PodInfo, PolicyKind, UnownedAddress } from './types.js';
import { POLICY_KINDS } from './types.js';
import { judgedPolicies, NO_POLICIES } from './judged-policies.js';

function namespaceLabels(name: string, labels: Readonly<Record<string, string>> | undefined): LabelMap {
  const map = new Map(Object.entries(labels ?? {}));
  map.set(NAMESPACE_NAME_LABEL, name);
  return map;
}

function firstOf<T>(set: Set<T> | undefined): T | undefined {
  if (set) for (const item of set) return item;
  return undefined;
}

/** The id of a raw policy object, if it names itself well enough to have one. */
function identityOf(obj: unknown): string | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const { kind, metadata } = obj as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof kind !== 'string' || !POLICY_KINDS.includes(kind as PolicyKind) || typeof metadata?.name !== 'string') return undefined;
  const namespace = kind === 'AuditClusterNetworkPolicy' ? '' : typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
  return policyId(kind as PolicyKind, namespace, metadata.name);
}

/** Distinct IP texts remembered by resolve; emptied when full, since a miss only costs one resolution. */
const ENDPOINT_CACHE_LIMIT = 100_000;

/** A known pod as a flow end; only pod-network pods carry the policies that select them. */
function podEndpoint(pod: PodEntry, address: Address | undefined): ResolvedEndpoint {
  const selectable = !pod.info.hostNetwork;
  const judged = selectable ? judgedPolicies(pod) : undefined;
  return {
    identity: selectable ? 'pod' : 'hostNetwork',
    pod,
    address,
    v4: address === undefined ? undefined : ipv4Int(address),
    label: pod.key,
    ref: { namespace: pod.info.namespace, pod: pod.info.name },
    egress: judged?.egress ?? NO_POLICIES,
    ingress: judged?.ingress ?? NO_POLICIES,
    ports: selectable ? pod.info.ports : undefined,
    namespace: pod.namespace.name,
  };
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ClusterState {
  private readonly namespaces = new Map<string, NamespaceEntry>();
  private readonly pods = new Map<string, PodEntry>();
  /** Pod IP -> pod, for pods on the pod network. */
  private readonly byIp = new Map<string, PodEntry>();
  /** IP -> hostNetwork pods (they share their node's IP), only to name such ends in reasons. */
  private readonly hostByIp = new Map<string, Set<PodEntry>>();
  private readonly policies = new Map<string, CompiledPolicy>();
  private readonly namespacedPolicies = new Map<string, Set<CompiledPolicy>>();
  private readonly clusterPolicies = new Set<CompiledPolicy>();
  private readonly selections = new Map<CompiledPolicy, Set<PodEntry>>();
  /** IP text -> its resolution, with the pod's judged policies: every change empties it. */
  private readonly endpoints = new Map<string, ResolvedEndpoint>();
  /** Bumped on every change, so caches of evaluations know when they are stale. */
  version = 0;

  private changed(): void {
    this.version++;
    this.endpoints.clear();
  }

  // ---- namespaces ----

  private ensureNamespace(name: string): NamespaceEntry {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = { name, labels: namespaceLabels(name, undefined), declared: false, pods: new Set() };
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  upsertNamespace(info: NamespaceInfo): void {
    const ns = this.ensureNamespace(info.name);
    ns.declared = true;
    ns.labels = namespaceLabels(info.name, info.labels);
    this.reselectNamespace(ns);
    this.changed();
  }

  /** Keeps the entry while pods still name it, with only the implicit name label. */
  deleteNamespace(name: string): void {
    const ns = this.namespaces.get(name);
    if (!ns) return;
    if (ns.pods.size === 0) this.namespaces.delete(name);
    else {
      ns.declared = false;
      ns.labels = namespaceLabels(name, undefined);
      this.reselectNamespace(ns);
    }
    this.changed();
  }

  private reselectNamespace(ns: NamespaceEntry): void {
    for (const p of this.clusterPolicies) {
      if (p.targetNamespaces.kind !== 'selector') continue;
      for (const pod of ns.pods) this.setSelected(p, pod, this.selects(p, pod));
    }
  }

  namespace(name: string): NamespaceEntry | undefined {
    return this.namespaces.get(name);
  }

  listNamespaces(): NamespaceEntry[] {
    return [...this.namespaces.values()];
  }

  // ---- pods ----

  upsertPod(info: PodInfo): PodEntry {
    this.unlinkPod(podKey(info.namespace, info.name));
    const ns = this.ensureNamespace(info.namespace);
    const addresses = info.ips.map(parseAddress).filter((a): a is Address => a !== undefined);
    const pod: PodEntry = {
      key: podKey(info.namespace, info.name),
      info,
      labels: toLabelMap(info.labels),
      namespace: ns,
      addresses,
      selectedBy: new Set(),
      judged: undefined,
    };
    this.pods.set(pod.key, pod);
    ns.pods.add(pod);
    for (const a of addresses) {
      const k = canonicalAddress(a);
      if (!info.hostNetwork) this.byIp.set(k, pod);
      else {
        let set = this.hostByIp.get(k);
        if (!set) this.hostByIp.set(k, (set = new Set()));
        set.add(pod);
      }
    }
    for (const p of this.candidatePolicies(ns)) if (this.selects(p, pod)) this.setSelected(p, pod, true);
    this.changed();
    return pod;
  }

  deletePod(namespace: string, name: string): void {
    if (this.unlinkPod(podKey(namespace, name))) this.changed();
  }

  private unlinkPod(key: string): boolean {
    const pod = this.pods.get(key);
    if (!pod) return false;
    for (const p of pod.selectedBy) this.selections.get(p)?.delete(pod);
    pod.selectedBy.clear();
    pod.judged = undefined;
    // A reused IP may already belong to a newer pod: only remove our own mapping.
    for (const a of pod.addresses) {
      const k = canonicalAddress(a);
      if (this.byIp.get(k) === pod) this.byIp.delete(k);
      const hosts = this.hostByIp.get(k);
      if (hosts?.delete(pod) && hosts.size === 0) this.hostByIp.delete(k);
    }
    pod.namespace.pods.delete(pod);
    this.pods.delete(key);
    return true;
  }

  pod(namespace: string, name: string): PodEntry | undefined {
    return this.pods.get(podKey(namespace, name));
  }

  podByIp(ip: string): PodEntry | undefined {
    const a = parseAddress(ip);
    return a === undefined ? undefined : this.byIp.get(canonicalAddress(a));
  }

  listPods(): PodEntry[] {
    return [...this.pods.values()];
  }

  // ---- policies ----

  /** Adds or replaces a policy; a policy with errors is removed and its problems returned. */
  upsertPolicy(obj: unknown): CompileResult {
    const result = compilePolicy(obj);
    const p = result.policy;
    if (!p) {
      // The stored object is what the API server holds now; judging its older spec would be stale.
      const id = identityOf(obj);
      if (id && this.removePolicy(id)) this.changed();
      return result;
    }
    this.removePolicy(p.id);
    this.policies.set(p.id, p);
    this.selections.set(p, new Set());
    if (p.targetNamespaces.kind === 'name') {
      let set = this.namespacedPolicies.get(p.targetNamespaces.name);
      if (!set) this.namespacedPolicies.set(p.targetNamespaces.name, (set = new Set()));
      set.add(p);
    } else this.clusterPolicies.add(p);
    for (const ns of this.namespacesInScope(p.targetNamespaces))
      for (const pod of ns.pods) if (this.selects(p, pod)) this.setSelected(p, pod, true);
    this.changed();
    return result;
  }

  deletePolicy(kind: PolicyKind, namespace: string, name: string): void {
    if (this.removePolicy(policyId(kind, kind === 'AuditClusterNetworkPolicy' ? '' : namespace, name))) this.changed();
  }

  private removePolicy(id: string): boolean {
    const p = this.policies.get(id);
    if (!p) return false;
    for (const pod of this.selections.get(p) ?? []) {
      pod.selectedBy.delete(p);
      pod.judged = undefined;
    }
    this.selections.delete(p);
    this.policies.delete(id);
    if (p.targetNamespaces.kind === 'name') this.namespacedPolicies.get(p.targetNamespaces.name)?.delete(p);
    else this.clusterPolicies.delete(p);
    return true;
  }

  listPolicies(): CompiledPolicy[] {
    return [...this.policies.values()];
  }

  policy(kind: PolicyKind, namespace: string, name: string): CompiledPolicy | undefined {
    return this.policies.get(policyId(kind, kind === 'AuditClusterNetworkPolicy' ? '' : namespace, name));
  }

  /** The pods a policy selects right now. */
  selectedPods(p: CompiledPolicy): PodEntry[] {
    return [...(this.selections.get(p) ?? [])];
  }

  private *namespacesInScope(scope: TargetNamespaces): Iterable<NamespaceEntry> {
    if (scope.kind === 'name') {
      const ns = this.namespaces.get(scope.name);
      if (ns) yield ns;
      return;
    }
    for (const ns of this.namespaces.values()) if (scope.kind === 'all' || matchesSelector(scope.selector, ns.labels)) yield ns;
  }

  private *candidatePolicies(ns: NamespaceEntry): Iterable<CompiledPolicy> {
    yield* this.namespacedPolicies.get(ns.name) ?? [];
    yield* this.clusterPolicies;
  }

  private selects(p: CompiledPolicy, pod: PodEntry): boolean {
    if (pod.info.hostNetwork) return false;
    const scope = p.targetNamespaces;
    if (scope.kind === 'name' && scope.name !== pod.namespace.name) return false;
    if (scope.kind === 'selector' && !matchesSelector(scope.selector, pod.namespace.labels)) return false;
    return matchesSelector(p.target, pod.labels);
  }

  private setSelected(p: CompiledPolicy, pod: PodEntry, selected: boolean): void {
    const set = this.selections.get(p);
    if (!set) return;
    if (selected === pod.selectedBy.has(p)) return;
    pod.judged = undefined;
    if (selected) {
      set.add(pod);
      pod.selectedBy.add(p);
    } else {
      set.delete(pod);
      pod.selectedBy.delete(p);
    }
  }

  // ---- flow ends ----

  /**
   * Identifies one end of a flow. A pod named by the flow wins over the IP (it was stamped
   * when the flow was observed; IPs are reused). `peerFamily` picks which of a dual-stack
   * pod's addresses ipBlocks see when the flow gives no IP for this end.
   */
  resolve(end: FlowEndpoint, peerFamily: 4 | 6 | undefined, parsed?: AddressEntry): ResolvedEndpoint {
    if (end.kind === 'unowned') return unownedEndpoint(end, parsed);
    // An end given by IP alone resolves the same way for every flow until a pod changes.
    if (end.ip !== undefined && (end.pod === undefined || end.namespace === undefined)) {
      let hit = this.endpoints.get(end.ip);
      if (hit === undefined) {
        hit = this.resolveUncached({ ip: end.ip }, undefined, parsed);
        if (this.endpoints.size >= ENDPOINT_CACHE_LIMIT) this.endpoints.clear();
        this.endpoints.set(end.ip, hit);
      }
      return hit;
    }
    return this.resolveUncached(end, peerFamily, parsed);
  }

  private resolveUncached(end: NamedEnd, peerFamily: 4 | 6 | undefined, parsed: AddressEntry | undefined): ResolvedEndpoint {
    const entry = parsed ?? (end.ip === undefined ? undefined : lookupAddress(end.ip));
    const given = entry?.address;
    const { pod, missingPod } = this.podOf(end, entry);
    const address = given ?? (pod ? (pod.addresses.find((a) => family(a) === peerFamily) ?? pod.addresses[0]) : undefined);
    return pod ? podEndpoint(pod, address) : unknownEndpoint(end, address, missingPod);
  }

  /** The pod the flow names (missingPod when it is gone), else the one holding the address. */
  private podOf(end: NamedEnd, entry: AddressEntry | undefined): { pod?: PodEntry | undefined; missingPod?: string } {
    if (end.pod !== undefined && end.namespace !== undefined) {
      const key = podKey(end.namespace, end.pod);
      const pod = this.pods.get(key);
      return pod ? { pod } : { missingPod: key };
    }
    if (entry) return { pod: this.byIp.get(entry.key) ?? firstOf(this.hostByIp.get(entry.key)) };
    return {};
  }

  counts(): { namespaces: number; pods: number; policies: number; ips: number } {
    return { namespaces: this.namespaces.size, pods: this.pods.size, policies: this.policies.size, ips: this.byIp.size };
  }
}

/** An end no pod accounts for: no policies select it, and its label says what is known of it. */
function unknownEndpoint(end: NamedEnd, address: Address | undefined, missingPod: string | undefined): ResolvedEndpoint {
  const unknown = addressOnly('unknown', address, end.ip ?? missingPod ?? 'an unidentified peer');
  if (missingPod) unknown.missingPod = missingPod;
  return unknown;
}

/** An address no pod owned at the flow's time: judged by the address alone, whoever holds it now. */
function unownedEndpoint(end: UnownedAddress, parsed: AddressEntry | undefined): ResolvedEndpoint {
  return addressOnly('unowned', (parsed ?? lookupAddress(end.ip))?.address, end.ip);
}

/** An end that is no pod: only ipBlock can match it; labelled by its address, else by `otherwise`. */
function addressOnly(identity: 'unknown' | 'unowned', address: Address | undefined, otherwise: string): ResolvedEndpoint {
  return {
    identity,
    pod: undefined,
    address,
    v4: address === undefined ? undefined : ipv4Int(address),
    label: address ? canonicalAddress(address) : otherwise,
    ref: null,
    egress: NO_POLICIES,
    ingress: NO_POLICIES,
    ports: undefined,
    namespace: '',
  };
}
