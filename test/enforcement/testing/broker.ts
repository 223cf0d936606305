/**
 * The broker of a kguardian installed in a scripts/cluster.sh cluster, read as a user with a bearer
 * token would: a ServiceAccount bound to a ClusterRole that may read verdicts and flows, its token from
 * `kubectl create token`, and `kubectl port-forward` to the broker's Service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Cluster } from '../../cluster/testing/cluster.js';
import type { EnforcementReport } from '../../../contracts/enforcement.js';
import type { BrokerVerdict } from '../judge.js';

const READER = 'enforcement-reader';

export interface BrokerFlow {
  id: number;
  src: { namespace?: string; pod?: string };
  dst: { namespace?: string; pod?: string; port: number };
  protocol: string;
  direction: 'Ingress' | 'Egress';
}

export class Broker {
  private constructor(readonly base: string, readonly token: string, private readonly forward: ChildProcess) {}

  static async open(cluster: Cluster): Promise<Broker> {
    const rbac = {
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: READER, namespace: 'kguardian' } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: READER },
          rules: [{ apiGroups: ['kguardian.dev'], resources: ['auditverdicts', 'flows'], verbs: ['get'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: READER },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER },
          subjects: [{ kind: 'ServiceAccount', name: READER, namespace: 'kguardian' }] },
      ],
    };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(rbac));
    const token = (await cluster.kubectl(['-n', 'kguardian', 'create', 'token', READER, '--duration=2h'])).trim();
    const forward = spawn(cluster.env.KUBECTL, ['--kubeconfig', cluster.env.KUBECONFIG, '-n', 'kguardian', 'port-forward', 'svc/kguardian-broker', ':9090']);
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      forward.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /127\.0\.0\.1:(\d+) ->/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      forward.on('exit', (code) => { reject(new Error(`kubectl port-forward to the broker exited with ${String(code)}`)); });
    });
    return new Broker(`http://127.0.0.1:${port}`, token, forward);
  }

  close(): void {
    this.forward.kill();
  }

  private async get<T>(path: string, query: Record<string, string>): Promise<T> {
    const res = await fetch(`${this.base}${path}?${new URLSearchParams(query).toString()}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Every verdict of the namespace's policies (or of one of them) observed since `since`, newest pages first. */
  async verdicts(namespace: string, since: Date, policy?: string): Promise<BrokerVerdict[]> {
    const out: BrokerVerdict[] = [];
    let beforeId: number | null = null;
    for (;;) {
      const q: Record<string, string> = { namespace, since: since.toISOString(), limit: '1000' };
      if (policy !== undefined) q.policy = policy;
      if (beforeId !== null) q.before_id = String(beforeId);
      const page = await this.get<{ verdicts: BrokerVerdict[]; nextBeforeId: number | null }>('/audit/verdicts', q);
      out.push(...page.verdicts);
      if (page.nextBeforeId === null || page.verdicts.length === 0) return out;
      beforeId = page.nextBeforeId;
    }
  }

  /** GET /v1/enforcement: verify's report for the namespace's NetworkPolicies over the window, every row (at most 10,000). */
  async enforcement(namespace: string, since: Date, until: Date): Promise<EnforcementReport> {
    return this.get<EnforcementReport>('/v1/enforcement', { namespace, since: since.toISOString(), until: until.toISOString(), limit: '10000' });
  }

  /** Flow rows stored since `since`, oldest first. */
  async flows(since: Date): Promise<BrokerFlow[]> {
    const out: BrokerFlow[] = [];
    let cursor = 0;
    for (;;) {
      const page = await this.get<{ flows: BrokerFlow[]; nextCursor: number | null }>('/v1/flows', { since: since.toISOString(), cursor: String(cursor), limit: '5000' });
      out.push(...page.flows);
      if (page.nextCursor === null) return out;
      cursor = page.nextCursor;
    }
  }
}
