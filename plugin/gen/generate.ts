/**
 * From a snapshot and observed flows to one least-privilege policy per chosen workload, each
 * checked by the policy engine before it is returned:
 * - a workload is refused (left out, with the reason) when its selector would select nothing,
 *   every pod of its namespace, or pods of other workloads; or when it has no flows at all (a
 *   policy learned from nothing denies everything) or uses the host network (never selected);
 * - the accepted policies are judged over the very flows they were learned from, and if any of
 *   those would be denied nothing is returned at all: GenerationUnsafe is thrown;
 * - thin evidence (few flows, or first seen late in the window) is a warning, not a refusal.
 */
import type { NamespaceInfo, PodInfo } from '../../policy/index.js';
import type { LineFlow } from '../audit-test/load-flows.js';
import { judge, type Denial } from './check.js';
import { resolveFlows, type ResolvedFlow } from './ends.js';
import { policyName, policyObject, provenanceText, timeText } from './policy.js';
import { flowsOf, rulesFor } from './rules.js';
import type { GenCluster, GeneratedPolicy, GenSettings, Provenance, Workload } from './types.js';
import { workloadId } from './types.js';

/**
 * A workload left out. `skipped`: nothing a policy could do (host network, no traffic), expected
 * across a namespace; `refused`: its selector would be wrong, which someone must look at.
 */
export interface Refusal {
  workload: string;
  severity: 'skipped' | 'refused';
  reason: string;
}

export interface GenResult {
  policies: GeneratedPolicy[];
  refused: Refusal[];
  warnings: string[];
}

/** The generated policies would deny flows they were learned from: a generator bug, never emitted. */
export class GenerationUnsafe extends Error {
  constructor(readonly denials: readonly Denial[]) {
    super(`the generated policies would deny ${denials.length} of the flows they were learned from`);
    this.name = 'GenerationUnsafe';
  }
}

export interface GenInput {
  namespaces: readonly NamespaceInfo[];
  pods: readonly PodInfo[];
  cluster: GenCluster;
  targets: readonly Workload[];
  flows: readonly LineFlow[];
  settings: GenSettings;
}

function provenanceOf(flows: readonly ResolvedFlow[]): Provenance {
  const p: Provenance = { flows: 0, first: undefined, last: undefined };
  for (const f of new Set(flows)) {
    p.flows += f.input.seen.count;
    const { first, last } = f.input.seen;
    if (first !== undefined) p.first = p.first === undefined ? first : Math.min(p.first, first);
    if (last !== undefined) p.last = p.last === undefined ? last : Math.max(p.last, last);
  }
  return p;
}

function goneWarning(gone: ReadonlyMap<string, number>): string[] {
  if (gone.size === 0) return [];
  const lines = [...gone.values()].reduce((a, b) => a + b, 0);
  const pods = [...gone.keys()].sort();
  const shown = pods.slice(0, 3).join(', ') + (pods.length > 3 ? `, and ${pods.length - 3} more` : '');
  const what = lines === 1 ? '1 flow line names a pod' : `${lines} flow lines name pods`;
  return [`warning: ${what} the cluster no longer has (${shown}); they were left out of generation and of the check`];
}

/** Why a workload cannot get a policy before any is built, if it cannot. */
function refusalBefore(w: Workload, flows: number): Refusal | undefined {
  const workload = workloadId(w);
  if (w.hostNetwork) return { workload, severity: 'skipped', reason: 'its pods use the host network, and NetworkPolicy never selects such pods' };
  if (Object.keys(w.selector).length === 0)
    return { workload, severity: 'refused', reason: `it has no stable labels to select it by (a podSelector of {} would select every pod in namespace ${w.namespace})` };
  if (flows === 0) return { workload, severity: 'skipped', reason: 'no flows were observed in the window: a policy learned from nothing would deny all its traffic' };
  return undefined;
}

/** Whether the policy selects exactly the workload's pods on the pod network. */
function refusalOfSelection(w: Workload, selected: readonly string[]): string | undefined {
  const own = new Set(w.pods.filter((p) => !p.hostNetwork).map((p) => `${p.namespace}/${p.name}`));
  const mine = selected.filter((k) => own.has(k));
  const others = selected.filter((k) => !own.has(k));
  const sel = Object.entries(w.selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (mine.length === 0) return `its selector ${sel} selects none of its ${own.size} pods`;
  if (others.length > 0) return `its selector ${sel} also selects ${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}, which belong to other workloads`;
  if (mine.length < own.size) return `its selector ${sel} selects only ${mine.length} of its ${own.size} pods`;
  return undefined;
}

function evidenceWarnings(w: Workload, total: Provenance, settings: GenSettings): string[] {
  const out: string[] = [];
  const id = workloadId(w);
  if (total.flows < settings.minFlows) out.push(`warning: thin evidence for ${id}: ${provenanceText(total)} (fewer than ${settings.minFlows}); watch its WOULD-DENY before promoting`);
  if (settings.recentAfter !== undefined && total.first !== undefined && total.first > settings.recentAfter)
    out.push(`warning: thin evidence for ${id}: first seen ${timeText(total.first)}, late in the window; rare callers may not have shown up yet`);
  return out;
}

function nameClashes(cluster: GenCluster): Set<string> {
  const seen = new Map<string, number>();
  for (const w of cluster.workloads) seen.set(`${w.namespace}/${w.name}`, (seen.get(`${w.namespace}/${w.name}`) ?? 0) + 1);
  return new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
}

export function generate(input: GenInput): GenResult {
  const { cluster, settings } = input;
  const resolved = resolveFlows(cluster, input.flows);
  const result: GenResult = { policies: [], refused: [], warnings: goneWarning(resolved.gone) };
  const clashes = nameClashes(cluster);
  const candidates: GeneratedPolicy[] = [];
  for (const w of input.targets) {
    const ingressFlows = flowsOf(w, 'Ingress', resolved.flows);
    const egressFlows = flowsOf(w, 'Egress', resolved.flows);
    const total = provenanceOf([...ingressFlows, ...egressFlows]);
    const refusal = refusalBefore(w, total.flows);
    if (refusal !== undefined) {
      result.refused.push(refusal);
      continue;
    }
    const ingress = rulesFor(w, 'Ingress', ingressFlows, cluster.nodeAddresses, settings);
    const egress = rulesFor(w, 'Egress', egressFlows, cluster.nodeAddresses, settings);
    candidates.push(policyObject(w, policyName(w, clashes.has(`${w.namespace}/${w.name}`)), { ingress, egress }, total, settings));
  }
  const selection = judge(input.namespaces, input.pods, candidates.map((c) => c.object));
  for (const c of candidates) {
    const problems = selection.problems(c.object);
    if (problems.length > 0) throw new Error(`generated policy ${c.object.metadata.namespace}/${c.object.metadata.name} does not compile: ${problems.join('; ')}`);
    const refusal = refusalOfSelection(c.workload, selection.selected(c.object) ?? []);
    if (refusal !== undefined) result.refused.push({ workload: workloadId(c.workload), severity: 'refused', reason: refusal });
    else result.policies.push(c);
  }
  const denials = judge(input.namespaces, input.pods, result.policies.map((p) => p.object)).denials(resolved.flows.map((f) => f.input));
  if (denials.length > 0) throw new GenerationUnsafe(denials);
  for (const p of result.policies) result.warnings.push(...evidenceWarnings(p.workload, p.provenance, settings));
  result.policies.sort((a, b) => a.object.metadata.namespace.localeCompare(b.object.metadata.namespace) || a.object.metadata.name.localeCompare(b.object.metadata.name));
  result.refused.sort((a, b) => a.workload.localeCompare(b.workload));
  return result;
}
