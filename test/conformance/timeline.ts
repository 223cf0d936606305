/**
 * The cluster's objects over time, as the conformance run needs them to judge a probe connection
 * against the NetworkPolicies in force when it was made: every namespace, pod, Service and
 * NetworkPolicy event the API server sent during the run, stamped with the time it arrived, and a
 * replay of those events into kguardian's policy engine (a ClusterState) up to any moment.
 *
 * The e2e suite deletes its namespaces (and so its policies) when each test ends, so the state has
 * to be kept as it happened; judging later against what the API server then holds would see none of it.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { ClusterState, namespaceFromObject, podFromObject } from '../../policy/index.js';

export type Resource = 'namespaces' | 'pods' | 'services' | 'networkpolicies';
export const RESOURCES: readonly Resource[] = ['namespaces', 'pods', 'services', 'networkpolicies'];

export interface TimelineEvent {
  /** When the event reached this process (ms since the epoch). */
  at: number;
  resource: Resource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object, cut to what the engine reads. */
  object: Record<string, unknown>;
}

const PATHS: Record<Resource, string> = {
  namespaces: '/api/v1/namespaces',
  pods: '/api/v1/pods',
  services: '/api/v1/services',
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
};

type Raw = Record<string, unknown> & { metadata?: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };

function pick(o: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o?.[k] !== undefined) out[k] = o[k];
  return out;
}

/** What the engine and the Service lookup read of an object; the rest (managed fields, status of containers) is dropped. */
export function trimObject(resource: Resource, obj: Raw): Record<string, unknown> {
  const metadata = pick(obj.metadata, ['name', 'namespace', 'uid', 'labels', 'resourceVersion', 'generation']);
  switch (resource) {
    case 'namespaces':
      return { metadata };
    case 'pods':
      return {
        metadata,
        spec: pick(obj.spec, ['containers', 'initContainers', 'hostNetwork']),
        status: pick(obj.status, ['phase', 'podIP', 'podIPs']),
      };
    case 'services':
      return { metadata, spec: pick(obj.spec, ['clusterIP', 'clusterIPs', 'selector', 'ports']) };
    case 'networkpolicies':
      return { kind: 'NetworkPolicy', metadata, spec: obj.spec ?? {} };
  }
}

/**
 * Watches the four resources cluster-wide from now on, restarting a watch the API server ends
 * (they time out) from the last resourceVersion it delivered, so no event is lost.
 */
export class TimelineRecorder {
  readonly events: TimelineEvent[] = [];
  private readonly aborts = new Map<Resource, { abort(): void }>();
  private readonly versions = new Map<Resource, string>();
  private stopped = false;
  failure: string | undefined;

  constructor(private readonly kc: KubeConfig) {}

  async start(): Promise<void> {
    await Promise.all(RESOURCES.map((r) => this.watch(r)));
  }

  private async watch(resource: Resource): Promise<void> {
    const rv = this.versions.get(resource);
    const req = await new Watch(this.kc).watch(
      PATHS[resource],
      rv === undefined ? { allowWatchBookmarks: true } : { allowWatchBookmarks: true, resourceVersion: rv },
      (type: string, obj: Raw) => {
        const v = obj.metadata?.resourceVersion;
        if (typeof v === 'string') this.versions.set(resource, v);
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          this.events.push({ at: Date.now(), resource, type, object: trimObject(resource, obj) });
        }
      },
      (err: unknown) => {
        if (this.stopped) return;
        // 410 Gone: the resourceVersion is too old; a new watch without one re-sends every object as ADDED.
        const text = err instanceof Error ? err.message : JSON.stringify(err ?? '');
        if (/410|Gone|too old/i.test(text)) this.versions.delete(resource);
        this.watch(resource).catch((e: unknown) => {
          this.failure = `watch of ${resource} could not restart: ${e instanceof Error ? e.message : String(e)}`;
        });
      },
    );
    this.aborts.set(resource, req);
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts.values()) a.abort();
  }
}

/** A Service as the judge needs it: its addresses and the pods it selects. */
export interface ServiceInfo {
  namespace: string;
  name: string;
  ips: string[];
  selector: Record<string, string>;
}

function metaOf(obj: Record<string, unknown>): { name?: string; namespace?: string } {
  return (obj.metadata ?? {});
}

function key(obj: Record<string, unknown>): string {
  const m = metaOf(obj);
  return `${m.namespace ?? ''}/${m.name ?? ''}`;
}

function labelsOf(obj: Record<string, unknown>): string {
  const m = (obj.metadata ?? {}) as { labels?: Record<string, string> };
  return JSON.stringify(Object.entries(m.labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The times of the events after which a judgement may differ: any NetworkPolicy event, a namespace
 * or pod appearing, going, or changing its labels. A pod's status updates (readiness, its IP
 * arriving) are not changes of policy.
 */
function judgementChanges(events: readonly TimelineEvent[]): number[] {
  const labels = new Map<string, string>();
  const out: number[] = [];
  for (const e of events) {
    if (e.resource === 'services') continue;
    if (e.resource === 'networkpolicies') {
      out.push(e.at);
      continue;
    }
    const k = `${e.resource}:${key(e.object)}`;
    const now = e.type === 'DELETED' ? undefined : labelsOf(e.object);
    if (now !== labels.get(k)) out.push(e.at);
    if (now === undefined) labels.delete(k);
    else labels.set(k, now);
  }
  return out;
}

/**
 * The engine's view at any moment of the run: replays the timeline's events in order into one
 * ClusterState. Moments must be asked for in increasing order (the replay only moves forward).
 */
export class TimelineReplay {
  readonly state = new ClusterState();
  private readonly services = new Map<string, ServiceInfo>();
  private readonly byServiceIp = new Map<string, ServiceInfo>();
  private next = 0;
  private now = -Infinity;
  private readonly events: TimelineEvent[];
  /** Arrival times of the events that can change a judgement (policies, pod and namespace labels), in order. */
  private readonly changes: number[];

  constructor(events: readonly TimelineEvent[]) {
    this.events = [...events].sort((a, b) => a.at - b.at);
    this.changes = judgementChanges(this.events);
  }

  /** Applies every event that arrived at or before `at`. */
  advanceTo(at: number): void {
    if (at < this.now) throw new Error(`the timeline replays forward only: asked for ${new Date(at).toISOString()} after ${new Date(this.now).toISOString()}`);
    this.now = at;
    while (this.next < this.events.length && this.events[this.next]!.at <= at) this.apply(this.events[this.next++]!);
  }

  /** When the last event of a NetworkPolicy, pod or namespace at or before `at` arrived. */
  lastChangeBefore(at: number): number | undefined {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.changes[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : this.changes[lo - 1];
  }

  serviceByIp(ip: string): ServiceInfo | undefined {
    return this.byServiceIp.get(ip);
  }

  /** The pods a Service selects now (pod-network pods of its namespace with every selector label). */
  backends(svc: ServiceInfo): { namespace: string; pod: string; ip: string }[] {
    const entries = Object.entries(svc.selector);
    if (entries.length === 0) return [];
    return this.state.listPods()
      .filter((p) => p.info.namespace === svc.namespace && !p.info.hostNetwork && entries.every(([k, v]) => p.info.labels[k] === v))
      .flatMap((p) => (p.info.ips[0] === undefined ? [] : [{ namespace: p.info.namespace, pod: p.info.name, ip: p.info.ips[0] }]));
  }

  private apply(e: TimelineEvent): void {
    switch (e.resource) {
      case 'namespaces':
        this.applyNamespace(e);
        return;
      case 'pods':
        this.applyPod(e);
        return;
      case 'networkpolicies':
        this.applyPolicy(e);
        return;
      case 'services':
        this.applyService(e);
        return;
    }
  }

  private applyNamespace(e: TimelineEvent): void {
    const name = metaOf(e.object).name;
    if (e.type === 'DELETED') {
      if (name) this.state.deleteNamespace(name);
      return;
    }
    const ns = namespaceFromObject(e.object);
    if (ns.ok) this.state.upsertNamespace(ns.value);
  }

  private applyPod(e: TimelineEvent): void {
    const meta = metaOf(e.object);
    const pod = podFromObject(e.object);
    if (e.type === 'DELETED' || !pod.ok) {
      if (meta.name) this.state.deletePod(meta.namespace ?? 'default', meta.name);
      return;
    }
    this.state.upsertPod(pod.value);
  }

  private applyPolicy(e: TimelineEvent): void {
    const meta = metaOf(e.object);
    if (e.type === 'DELETED') {
      if (meta.name) this.state.deletePolicy('NetworkPolicy', meta.namespace ?? 'default', meta.name);
      return;
    }
    this.state.upsertPolicy(e.object);
  }

  private applyService(e: TimelineEvent): void {
    const meta = metaOf(e.object);
    const old = this.services.get(key(e.object));
    if (old) for (const ip of old.ips) this.byServiceIp.delete(ip);
    this.services.delete(key(e.object));
    if (e.type === 'DELETED') return;
    const spec = (e.object.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[]; selector?: Record<string, string> };
    const ips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip !== 'None');
    const svc: ServiceInfo = { namespace: meta.namespace ?? 'default', name: meta.name ?? '', ips, selector: spec.selector ?? {} };
    this.services.set(key(e.object), svc);
    for (const ip of ips) this.byServiceIp.set(ip, svc);
  }
}
