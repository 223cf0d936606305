/**
 * The engine benchmark's cluster (bench/engine.bench.ts: 10,000 pods in 500 namespaces, 1,000
 * audit and 1,000 enforced policies) as raw Kubernetes objects, for benchmarks that feed the
 * evaluator's model the way its informers do, and the same labels, addresses, ports and policy specs
 * for engine.bench.ts's model objects: one definition of the cluster for both.
 */
import { anp, np } from '../../policy/testing/testkit.js';
import type { PolicyObject } from '../../policy/index.js';
import { seededRandom } from '../../runtime/testing/seeded-random.js';

export const NAMESPACES = 500;
export const PODS_PER_NS = 20;
const TIERS = ['frontend', 'backend', 'db'];

/** Pod `p` of every namespace: its labels, both addresses and its declared ports. */
export function podLabels(p: number): Record<string, string> {
  return { app: `app-${p % 10}`, tier: TIERS[p % 3]!, 'pod-template-hash': `h${p}` };
}
export function podIps(ns: number, p: number): [string, string] {
  return [podIp(ns, p), `fd00::${ns.toString(16)}:${(p + 10).toString(16)}`];
}
export const POD_PORTS = [
  { name: 'http', containerPort: 8080, protocol: 'TCP' as const },
  { name: 'metrics', containerPort: 9090, protocol: 'TCP' as const },
];
export function namespaceLabels(n: number): Record<string, string> {
  return { team: `team-${n % 20}`, env: n % 2 === 0 ? 'prod' : 'dev' };
}

/** The seeded generator (runtime/testing/seeded-random.ts), so every run judges the same flows. */
export const rng = seededRandom;

export function podIp(ns: number, p: number): string {
  return `10.${(ns >> 8) & 255}.${ns & 255}.${p + 10}`;
}

type Raw = Record<string, unknown>;

export function namespaceObjects(): Raw[] {
  return Array.from({ length: NAMESPACES }, (_, n) => ({
    metadata: { name: `ns-${n}`, resourceVersion: '1', labels: namespaceLabels(n) },
  }));
}

export function podObjects(created: string): Raw[] {
  const pods: Raw[] = [];
  for (let n = 0; n < NAMESPACES; n++)
    for (let p = 0; p < PODS_PER_NS; p++)
      pods.push({
        metadata: { namespace: `ns-${n}`, name: `pod-${p}`, uid: `pod-${n}-${p}`, creationTimestamp: created, labels: podLabels(p) },
        spec: { containers: [{ name: 'main', ports: POD_PORTS }] },
        status: { phase: 'Running', podIP: podIp(n, p), podIPs: podIps(n, p).map((ip) => ({ ip })) },
      });
  return pods;
}

export function auditPolicies(n: number): PolicyObject[] {
  return [
    anp(`ns-${n}/web-ingress`, {
      podSelector: { matchLabels: { app: `app-${n % 10}` } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ port: 'http' }, { port: 8080 }] },
        { from: [{ namespaceSelector: { matchLabels: { team: `team-${n % 20}` } }, podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'frontend'] }] } }] },
      ],
    }),
    anp(`ns-${n}/backend-lockdown`, {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'db'] }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }], ports: [{ port: 8000, endPort: 9000 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }, { ports: [{ protocol: 'UDP', port: 53 }] }],
    }),
  ];
}

function enforcedPolicies(n: number): PolicyObject[] {
  return [
    np(`ns-${n}/allow-same-namespace`, { podSelector: { matchLabels: { app: `app-${(n + 3) % 10}` } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }, { port: 8080 }] }] }),
    np(`ns-${n}/db-egress`, { podSelector: { matchLabels: { tier: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] }] }),
  ];
}

/** The 2,000 policies as written (no uid or generation). */
export function basePolicies(): PolicyObject[] {
  return Array.from({ length: NAMESPACES }, (_, n) => [...auditPolicies(n), ...enforcedPolicies(n)]).flat();
}

/** The 2,000 policies, with the uid and generation the API server would give them. */
export function policyObjects(): PolicyObject[] {
  return basePolicies()
    .map((p) => ({ ...p, metadata: { ...p.metadata, uid: `uid-${p.kind}-${p.metadata.namespace ?? ''}-${p.metadata.name}`, generation: 1 } }));
}
