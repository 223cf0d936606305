/**
 * The playground's little shop: a frontend in namespace web calls payments in shop, which calls
 * its database; both find the other by name with real DNS lookups at coredns (kube-system,
 * playground/dns-server.ts), which knows every pod as NAME.NAMESPACE.svc.cluster.local. The candidate policy for payments
 * (policies/payments-isolation.yaml) forgets that the frontend lives in another namespace.
 * The traffic is a fixed number of connections and lookups, so the verdict counts are exact.
 */
import { REPO_ROOT } from './paths.js';

export interface ScenarioPod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** What it serves, as traffic-tool.ts `serve` specs (a dns: server also gets every pod's A record). */
  serves: string[];
}

export const POLICY = { name: 'payments-isolation', namespace: 'shop' } as const;
export const POLICY_FILE = `${REPO_ROOT}playground/policies/payments-isolation.yaml`;
export const FIXED_POLICY_FILE = `${REPO_ROOT}playground/policies/payments-isolation-fixed.yaml`;

/** Namespaces the scenario creates (kube-system already exists). */
export const NAMESPACES = ['web', 'shop'];

export const PODS: readonly ScenarioPod[] = [
  { name: 'frontend', namespace: 'web', labels: { app: 'frontend' }, serves: [] },
  { name: 'payments', namespace: 'shop', labels: { app: 'payments' }, serves: ['tcp:8080'] },
  { name: 'database', namespace: 'shop', labels: { app: 'database' }, serves: ['tcp:5432'] },
  { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, serves: ['dns:53'] },
];

export interface TrafficPlan {
  /** frontend -> payments:8080, TCP connections. */
  frontendToPayments: number;
  /** payments -> database:5432, TCP connections. */
  paymentsToDatabase: number;
  /** payments -> coredns:53/UDP, DNS lookups of the database's name (one query, one answer each). */
  dnsLookups: number;
  /** frontend -> coredns:53/UDP, DNS lookups of payments' name (not at payments, so not counted). */
  frontendLookups: number;
}

export const DEFAULT_TRAFFIC: TrafficPlan = { frontendToPayments: 6, paymentsToDatabase: 4, dnsLookups: 3, frontendLookups: 1 };

/**
 * What the evaluator must count for payments-isolation, in conversations (a TCP connection, a
 * UDP flow in a bucket), as seen at the payments end (the only pod the policy selects).
 */
export function expectedCounts(plan: TrafficPlan, fixed: boolean): { wouldDeny: number; allowed: number } {
  const ingressFromFrontend = plan.frontendToPayments;
  // Each lookup is one query out and one answer back on a UDP flow of its own (the resolver
  // opens a socket per query): one conversation each.
  const egressAllowed = plan.paymentsToDatabase + plan.dnsLookups;
  return fixed ? { wouldDeny: 0, allowed: ingressFromFrontend + egressAllowed } : { wouldDeny: ingressFromFrontend, allowed: egressAllowed };
}
