/**
 * Every version of one AuditNetworkPolicy the API server stores from a given moment on, through a
 * watch (not polling, which could miss a state the evaluator holds for a moment): what `kubectl
 * get kganp -w` would show, in order. The e2e test asserts the states a policy edit passes through.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';

export interface PolicyVersion {
  resourceVersion: string;
  generation: number;
  observedGeneration?: number;
  wouldDeny?: number;
  allowed?: number;
  /** Synced condition: status, reason and the generation it speaks of. */
  synced?: { status: string; reason: string; observedGeneration?: number };
}

interface RawPolicy {
  metadata?: { resourceVersion?: string; generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; observedGeneration?: number }[];
    evaluation?: { flowsWouldDeny?: number; flowsAllowed?: number };
  };
}

/** `{ [key]: value }`, or nothing when the value is absent (the versions compare with toEqual). */
function present<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>);
}

function syncedOf(p: RawPolicy): PolicyVersion['synced'] {
  const synced = p.status?.conditions?.find((c) => c.type === 'Synced');
  if (!synced) return undefined;
  return { status: synced.status, reason: synced.reason, ...present('observedGeneration', synced.observedGeneration) };
}

function versionOf(p: RawPolicy): PolicyVersion {
  const e = p.status?.evaluation;
  return {
    resourceVersion: p.metadata?.resourceVersion ?? '',
    generation: p.metadata?.generation ?? 0,
    ...present('observedGeneration', p.status?.observedGeneration),
    ...present('wouldDeny', e?.flowsWouldDeny),
    ...present('allowed', e?.flowsAllowed),
    ...present('synced', syncedOf(p)),
  };
}

export class PolicyWatch {
  readonly versions: PolicyVersion[] = [];
  private request: { abort(): void } | undefined;
  private failure: unknown;
  private stopped = false;

  private constructor() {}

  /** Watches namespace/name from resourceVersion `since` (exclusive): every later write is seen. */
  static async start(kc: KubeConfig, namespace: string, name: string, since: string): Promise<PolicyWatch> {
    const w = new PolicyWatch();
    w.request = await new Watch(kc).watch(
      `/apis/kguardian.dev/v1alpha1/namespaces/${namespace}/auditnetworkpolicies`,
      { fieldSelector: `metadata.name=${name}`, resourceVersion: since, allowWatchBookmarks: false },
      (type: string, obj: RawPolicy) => {
        if (type === 'ADDED' || type === 'MODIFIED') w.versions.push(versionOf(obj));
      },
      (err: unknown) => {
        if (err && !w.stopped) w.failure = err;
      },
    );
    return w;
  }

  /** Resolves once a version satisfies `done`; fails when time runs out or the watch broke. */
  async until(what: string, done: (v: PolicyVersion) => boolean, timeoutMs: number): Promise<PolicyVersion> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.versions.find(done);
      if (hit) return hit;
      if (this.failure !== undefined) throw new Error(`the watch ended while waiting for ${what}: ${this.failure instanceof Error ? this.failure.message : JSON.stringify(this.failure)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; versions seen: ${JSON.stringify(this.versions)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
  }
}
