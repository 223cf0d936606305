/**
 * The broker's stored flows and its enforcement report, read as a user with `get` on
 * `flows.kguardian.dev` and `auditverdicts.kguardian.dev` reads them: a ServiceAccount of the
 * test's own, bound to those permissions, and its token
 * (`kubectl create token`), sent to the broker's ClusterIP through kube-proxy from the node.
 * The agent's metrics are read on the node's address (it runs in the host network).
 */
import type { Cluster } from './cluster.js';
import type { EnforcementRow } from '../../../contracts/enforcement.js';
import type { FlowRow } from './conversations.js';

const READER = 'kg-flow-reader';

export class BrokerReader {
  private constructor(private readonly url: string, private readonly token: string) {}

  static async create(cluster: Cluster, namespace: string): Promise<BrokerReader> {
    const manifest = {
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: READER, namespace } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: READER },
          rules: [{ apiGroups: ['kguardian.dev'], resources: ['flows', 'auditverdicts'], verbs: ['get'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: READER },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER },
          subjects: [{ kind: 'ServiceAccount', name: READER, namespace }] },
      ],
    };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    const token = (await cluster.kubectl(['-n', namespace, 'create', 'token', READER, '--duration=2h'])).trim();
    const svc = await cluster.json<{ spec: { clusterIP: string; ports: { port: number }[] } }>(['-n', 'kguardian', 'get', 'svc', 'kguardian-broker']);
    return new BrokerReader(`http://${svc.spec.clusterIP}:${String(svc.spec.ports[0]?.port ?? 9090)}`, token);
  }

  /** Removes the cluster-wide role and binding create() made (its ServiceAccount goes with its namespace). */
  static async remove(cluster: Cluster): Promise<void> {
    await cluster.kubectl(['delete', 'clusterrolebinding,clusterrole', READER, '--ignore-not-found']);
  }

  /** Every flow row whose minute is at or after `since`; throws if the broker does not answer 200. */
  async flows(since: Date): Promise<FlowRow[]> {
    const rows: FlowRow[] = [];
    for (let cursor: number | null = 0; cursor !== null;) {
      const res = await fetch(`${this.url}/v1/flows?since=${since.toISOString()}&limit=5000&cursor=${String(cursor)}`, {
        headers: { Authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(10_000),
      });
      if (res.status !== 200) throw new Error(`GET /v1/flows: ${String(res.status)} ${await res.text()}`);
      const page = await res.json() as { flows: FlowRow[]; nextCursor: number | null };
      rows.push(...page.flows);
      cursor = page.nextCursor;
    }
    return rows;
  }

  /** GET /v1/enforcement for `namespace` from `since` to now (every row, mismatched or not). */
  async enforcement(namespace: string, since: Date): Promise<EnforcementRow[]> {
    const res = await fetch(`${this.url}/v1/enforcement?namespace=${namespace}&since=${since.toISOString()}&limit=10000`, {
      headers: { Authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 200) throw new Error(`GET /v1/enforcement: ${String(res.status)} ${await res.text()}`);
    return (await res.json() as { rows: EnforcementRow[] }).rows;
  }
}

/** One sample of the agent's own metrics (the ones that say whether it still holds or lost observations). */
export interface AgentShipping {
  buffered: number;
  dropped: number;
  rejected: number;
}

export async function agentShipping(nodeIp: string, port = 9102): Promise<AgentShipping> {
  const text = await (await fetch(`http://${nodeIp}:${String(port)}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const value = (name: string): number => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!m?.[1]) throw new Error(`the agent's /metrics has no ${name}`);
    return Number(m[1]);
  };
  return {
    buffered: value('kguardian_agent_observations_buffered'),
    dropped: value('kguardian_agent_observations_dropped_total'),
    rejected: value('kguardian_agent_observations_rejected_total'),
  };
}
