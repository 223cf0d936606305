/**
 * The model's state, fed one raw object at a time (as informers deliver them) and judged by
 * flow-judge.ts: the engine's ClusterState, who owned which IP when, Services with their
 * backends, and the policies held by uid and generation. Plain objects in, no I/O, so every
 * rule here is unit-tested without an API server.
 *
 * A deleted (or finished) pod stays in the engine's state without addresses for the retention
 * period: flows it made before it went are still judged with its labels, and it can no longer
 * be mistaken for the owner of its old IPs.
 */
import {
  ClusterState,
  formatProblem,
  namespaceFromObject,
  podFromObject,
  type PodInfo,
  type PolicyKind,
} from './engine.js';
import { IpHistory } from './ip-history.js';
import { PolicyChanges, lastWritten } from './policy-changes.js';
import { PolicyVersions } from './policy-versions.js';
import { ServiceIndex } from './service-index.js';
import { rec, type Raw } from './raw-object.js';

export interface ClusterIndexOptions {
  /** How long a deleted pod and a released IP are remembered. */
  retentionMs: number;
  /** How far before a pod's creation a flow may be stamped and still be its. */
  skewMs: number;
  now: () => number;
  /** Told why an object was skipped; never throws. */
  skipped: (kind: string, key: string, reason: string) => void;
  listenerError: (err: unknown) => void;
}


function meta(obj: unknown): { namespace: string; name: string; uid: string | undefined; generation: number; created: number | undefined } {
  const m = rec(rec(obj).metadata);
  const created = m.creationTimestamp instanceof Date ? m.creationTimestamp.getTime() : typeof m.creationTimestamp === 'string' ? Date.parse(m.creationTimestamp) : NaN;
  return {
    namespace: typeof m.namespace === 'string' && m.namespace !== '' ? m.namespace : 'default',
    name: typeof m.name === 'string' ? m.name : '',
    uid: typeof m.uid === 'string' ? m.uid : undefined,
    generation: typeof m.generation === 'number' ? m.generation : 0,
    created: Number.isNaN(created) ? undefined : created,
  };
}

/** Typed client objects carry class instances and explicit undefineds; the compiler wants plain JSON. */
function plain(obj: unknown): unknown {
  return JSON.parse(JSON.stringify(obj)) as unknown;
}

function podSignature(info: PodInfo): string {
  return JSON.stringify([info.uid, info.labels, info.ips, info.ports, info.hostNetwork]);
}

export class ClusterIndex {
  readonly state = new ClusterState();
  readonly history: IpHistory;
  readonly services = new ServiceIndex();
  readonly policies: PolicyVersions;
  /** When each namespace's NetworkPolicies last changed: verify's predictions hold only after it. */
  readonly policyChanges = new PolicyChanges();
  private readonly namespaceLabels = new Map<string, string>();
  /** Live pods by "namespace/name", with the signature of what the engine was told. */
  private readonly live = new Map<string, { info: PodInfo; signature: string }>();
  /** Deleted pods kept by name until `until`. */
  private readonly retained = new Map<string, { uid: string; until: number }>();
  private readonly policyUids = new Map<string, string>();

  constructor(private readonly o: ClusterIndexOptions) {
    this.history = new IpHistory(o.skewMs);
    this.policies = new PolicyVersions(o.listenerError);
  }

  // ---- namespaces ----

  applyNamespace(obj: unknown): void {
    const ns = namespaceFromObject(obj);
    if (!ns.ok) {
      this.o.skipped('Namespace', meta(obj).name, ns.reason);
      return;
    }
    const signature = JSON.stringify(ns.value.labels);
    if (this.namespaceLabels.get(ns.value.name) === signature) return;
    this.namespaceLabels.set(ns.value.name, signature);
    this.state.upsertNamespace(ns.value);
  }

  removeNamespace(obj: unknown): void {
    const { name } = meta(obj);
    if (!this.namespaceLabels.delete(name)) return;
    this.state.deleteNamespace(name);
  }

  // ---- pods ----

  applyPod(obj: unknown): void {
    const m = meta(obj);
    const key = `${m.namespace}/${m.name}`;
    const pod = podFromObject(obj);
    if (!pod.ok) {
      // A finished pod holds no address any more: it is gone, as far as flows go.
      if (this.live.has(key)) this.retire(key);
      else this.o.skipped('Pod', key, pod.reason);
      return;
    }
    const info: PodInfo = { ...pod.value, uid: pod.value.uid ?? key };
    const uid = info.uid ?? key;
    const previous = this.live.get(key);
    const signature = podSignature(info);
    if (previous?.signature === signature) return;
    const now = this.o.now();
    // Same name, new uid: the old pod is gone (a StatefulSet replica recreated while we looked away).
    if (previous && previous.info.uid !== uid) this.history.release(previous.info.uid ?? key, now);
    this.state.upsertPod(info);
    this.live.set(key, { info, signature });
    this.retained.delete(key);
    if (!info.hostNetwork) for (const ip of info.ips) this.history.claim(ip, key, uid, m.created ?? now);
    this.history.release(uid, now, new Set(info.hostNetwork ? [] : info.ips));
  }

  removePod(obj: unknown): void {
    const m = meta(obj);
    this.retire(`${m.namespace}/${m.name}`);
  }

  private retire(key: string): void {
    const pod = this.live.get(key);
    if (!pod) return;
    const now = this.o.now();
    const uid = pod.info.uid ?? key;
    this.live.delete(key);
    this.history.release(uid, now);
    this.state.upsertPod({ ...pod.info, ips: [] });
    this.retained.set(key, { uid, until: now + this.o.retentionMs });
  }

  /** Forgets deleted pods and IP spans older than the retention period. */
  sweep(): void {
    const now = this.o.now();
    for (const [key, r] of this.retained) {
      if (r.until > now) continue;
      this.retained.delete(key);
      if (this.live.has(key)) continue;
      const slash = key.indexOf('/');
      this.state.deletePod(key.slice(0, slash), key.slice(slash + 1));
    }
    this.history.prune(now - this.o.retentionMs);
  }

  // ---- services ----

  applyService(obj: unknown): void {
    this.services.upsertService(obj);
  }

  removeService(obj: unknown): void {
    const m = meta(obj);
    this.services.deleteService(m.namespace, m.name);
  }

  applyEndpointSlice(obj: unknown): void {
    this.services.upsertSlice(obj);
  }

  removeEndpointSlice(obj: unknown): void {
    const m = meta(obj);
    this.services.deleteSlice(m.namespace, m.name);
  }

  // ---- policies ----

  applyPolicy(kind: PolicyKind, obj: unknown): void {
    const m = meta(obj);
    const key = this.policyKey(kind, m.namespace, m.name);
    const uid = m.uid ?? key;
    // A status write keeps the generation: nothing to recompile, and no cache to throw away.
    if (this.policies.holds(uid, m.generation) && this.policyUids.get(key) === uid) return;
    const previousUid = this.policyUids.get(key);
    if (previousUid !== undefined && previousUid !== uid) this.policies.delete(previousUid);
    if (kind === 'NetworkPolicy') this.policyChanges.changed(m.namespace, this.o.now(), lastWritten(obj, this.policies.get(uid) === undefined));
    const result = this.state.upsertPolicy({ ...(plain(obj) as Raw), kind });
    const problems = result.problems.filter((p) => p.severity === 'error').map(formatProblem);
    this.policyUids.set(key, uid);
    this.policies.set(uid, { kind, namespace: kind === 'AuditClusterNetworkPolicy' ? '' : m.namespace, name: m.name, generation: m.generation, problems });
  }

  removePolicy(kind: PolicyKind, obj: unknown): void {
    const m = meta(obj);
    const key = this.policyKey(kind, m.namespace, m.name);
    const uid = this.policyUids.get(key);
    if (uid === undefined) return;
    this.policyUids.delete(key);
    if (kind === 'NetworkPolicy') this.policyChanges.changed(m.namespace, this.o.now());
    this.state.deletePolicy(kind, m.namespace, m.name);
    this.policies.delete(uid);
  }

  private policyKey(kind: PolicyKind, namespace: string, name: string): string {
    return `${kind}/${kind === 'AuditClusterNetworkPolicy' ? '' : namespace}/${name}`;
  }

  livePods(): number {
    return this.live.size;
  }
}
