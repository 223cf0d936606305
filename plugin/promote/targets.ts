/**
 * Which namespaces an AuditClusterNetworkPolicy becomes NetworkPolicies in: those its
 * spec.namespaceSelector matches on the live cluster, or the explicit --target-namespace
 * list (each one not matched by the selector, or not on the cluster, earns a warning: the
 * user asked for it, so it is promoted there anyway).
 */
import { describeSelector } from '../../policy/index.js';
import { matchesSelector, toLabelMap } from '../../policy/selector.js';
import type { CompiledPolicy } from '../../policy/index.js';
import type { NamespaceInfo } from '../kube/audit-api.js';

export interface TargetChoice {
  namespaces: string[];
  warnings: string[];
}

/** "namespaceSelector team=platform", or "namespaceSelector <all> (every namespace)". */
export function selectorText(policy: CompiledPolicy): string {
  const t = policy.targetNamespaces;
  if (t.kind === 'selector') return `spec.namespaceSelector ${describeSelector(t.selector)}`;
  return 'spec.namespaceSelector <all> (every namespace)';
}

export function selects(policy: CompiledPolicy, ns: NamespaceInfo): boolean {
  const t = policy.targetNamespaces;
  if (t.kind === 'all') return true;
  if (t.kind === 'name') return t.name === ns.name;
  return matchesSelector(t.selector, toLabelMap(ns.labels));
}

export function chooseTargets(policy: CompiledPolicy, namespaces: readonly NamespaceInfo[], explicit: readonly string[]): TargetChoice {
  if (explicit.length === 0) return { namespaces: namespaces.filter((n) => selects(policy, n)).map((n) => n.name), warnings: [] };
  const byName = new Map(namespaces.map((n) => [n.name, n]));
  const warnings: string[] = [];
  const chosen = [...new Set(explicit)];
  for (const name of chosen) {
    const ns = byName.get(name);
    if (!ns) warnings.push(`--target-namespace ${name}: no such namespace on the cluster; applying there will fail until it exists`);
    else if (!selects(policy, ns)) warnings.push(`--target-namespace ${name} is not matched by ${selectorText(policy)}; promoting there anyway, as asked`);
  }
  return { namespaces: chosen, warnings };
}
