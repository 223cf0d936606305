/**
 * The evaluator replicas of a kguardian installed in a scripts/cluster.sh cluster, asked directly from the
 * host (pod addresses are routed there): `POST /evaluate` as the broker asks, with a ServiceAccount of the
 * test's own allowed to (`create` on evaluations.kguardian.dev), and `/metrics` on the same port.
 */
import type { Cluster } from '../../cluster/testing/cluster.js';

const ROLE = 'enforcement-evaluate';

interface EvaluatorPod {
  metadata: { name: string };
  status: { podIP?: string };
  spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] };
}

interface Judged { results: { enforcement?: { predicted: string; policies: { namespace: string; name: string }[] } }[] }

export class Evaluators {
  private constructor(private readonly cluster: Cluster, private readonly token: string) {}

  static async open(cluster: Cluster): Promise<Evaluators> {
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ROLE, namespace: 'kguardian' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: ROLE },
        rules: [{ apiGroups: ['kguardian.dev'], resources: ['evaluations'], verbs: ['create'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: ROLE },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ROLE },
        subjects: [{ kind: 'ServiceAccount', name: ROLE, namespace: 'kguardian' }] },
    ] }));
    const token = (await cluster.kubectl(['-n', 'kguardian', 'create', 'token', ROLE, '--duration=2h'])).trim();
    return new Evaluators(cluster, token);
  }

  /** Each replica's base URL. */
  async urls(): Promise<string[]> {
    const list = await this.cluster.json<{ items: EvaluatorPod[] }>(['-n', 'kguardian', 'get', 'pods', '-l', 'app.kubernetes.io/component=evaluator']);
    return list.items.map((p) => {
      const port = p.spec.containers[0]?.ports?.find((x) => x.name === 'http')?.containerPort;
      if (!p.status.podIP || port === undefined) throw new Error(`evaluator pod ${p.metadata.name} has no address or http port yet`);
      return `http://${p.status.podIP}:${String(port)}`;
    });
  }

  /**
   * Whether every replica names NetworkPolicy `namespace/name` among those deciding an ingress flow from
   * `srcIp` to `dstIp` (a pod it selects and allows): the replica's model holds that policy.
   */
  async allKnow(flow: { srcIp: string; dstIp: string }, policy: { namespace: string; name: string }): Promise<boolean> {
    const body = JSON.stringify({ flows: [{ id: 1, observedAt: new Date().toISOString(), count: 1, direction: 'Ingress',
      flow: { src: { ip: flow.srcIp }, dst: { ip: flow.dstIp }, protocol: 'TCP', port: 80 } }] });
    const known = await Promise.all((await this.urls()).map(async (url) => {
      const res = await fetch(`${url}/evaluate`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`${url}/evaluate: ${String(res.status)} ${await res.text()}`);
      const e = (await res.json() as Judged).results[0]?.enforcement;
      return e?.policies.some((p) => p.namespace === policy.namespace && p.name === policy.name) === true;
    }));
    return known.length > 0 && known.every(Boolean);
  }

  /** A counter's series summed over the replicas: `{namespace,policy,outcome}` label text to value, for the namespaces asked. */
  async counter(name: string, namespaces: ReadonlySet<string>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const url of await this.urls()) {
      const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      for (const line of text.split('\n')) {
        const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
        if (m?.[1] !== name || m[2] === undefined) continue;
        const labels = new Map([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1] ?? '', x[2] ?? '']));
        const namespace = labels.get('namespace') ?? '';
        if (!namespaces.has(namespace)) continue;
        const key = `${namespace}/${labels.get('policy') ?? ''} ${labels.get('outcome') ?? ''}`;
        out.set(key, (out.get(key) ?? 0) + Number(m[3]));
      }
    }
    return out;
  }

  /** Times the replicas acquired the leader Lease, summed (more than one: a new leader counts again what it finds). */
  leaseTransitions(): Promise<number> {
    return this.total('kguardian_evaluator_lease_transitions_total');
  }

  /**
   * Conversations the replicas answered without the enforced prediction, summed: observations that reached
   * them after their namespace's NetworkPolicies changed (daemons/evaluator/cluster/policy-changes.ts).
   */
  withheld(): Promise<number> {
    return this.total('kguardian_evaluator_enforcement_withheld_total');
  }

  /** A counter without labels, summed over the replicas. */
  private async total(name: string): Promise<number> {
    let n = 0;
    for (const url of await this.urls()) {
      const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      n += Number(m?.[1] ?? 0);
    }
    return n;
  }
}
