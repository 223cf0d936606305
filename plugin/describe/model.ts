/**
 * What `describe` shows, as data: the `-o json|yaml` form, and what render.ts prints. Rules
 * are put in words by the policy engine's own describe helpers (one source of semantics);
 * whether it is safe to promote is the promote safety gate's answer, not a second opinion.
 */
import { describePeerList, describePortList, describeSelector, type CompiledPolicy, type CompiledRule } from '../../policy/index.js';
import { CliError } from '../errors.js';
import type { EventRow } from '../kube/audit-api.js';
import type { AuditPolicy, Condition, Evaluation, Offender } from '../kube/objects.js';
import { compileAudit } from '../promote/compile.js';
import { safetyGate, type GateDecision } from '../promote/gate.js';

export interface RuleText {
  rule: number;
  /** "pods tier=frontend in the policy's namespace", or "any peer". */
  peers: string;
  /** "8080/TCP", or "any port". */
  ports: string;
}

/** null: the direction is not in policyTypes; []: every flow in that direction is denied. */
export type DirectionRules = RuleText[] | null;

export interface DescribeModel {
  kind: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  /** "app=payments", or "<all>". */
  podSelector?: string;
  /** AuditClusterNetworkPolicy only: "team=platform", or "<all>". */
  namespaceSelector?: string;
  ingress?: DirectionRules;
  egress?: DirectionRules;
  /** Set instead of the selector and rules when the engine cannot read the spec. */
  specProblem?: string;
  generation: number;
  observedGeneration: number | null;
  synced: boolean;
  conditions: Condition[];
  evaluation: Omit<Evaluation, 'topOffenders'> | null;
  topOffenders: Offender[];
  events: EventRow[];
  eventsNote?: string;
  /** overrides: the promote flags that would let the problems through (--force, --allow-untested). */
  promotion: { safe: boolean; problems: string[]; overrides: string[]; warnings: string[] };
}

function rules(list: readonly CompiledRule[] | null): DirectionRules {
  return list === null ? null : list.map((r) => ({ rule: r.index, peers: describePeerList(r.peers), ports: describePortList(r.ports) }));
}

function specPart(p: AuditPolicy): Pick<DescribeModel, 'podSelector' | 'namespaceSelector' | 'ingress' | 'egress' | 'specProblem'> {
  let compiled: CompiledPolicy;
  try {
    compiled = compileAudit(p);
  } catch (e) {
    if (e instanceof CliError) return { specProblem: e.message };
    throw e;
  }
  const t = compiled.targetNamespaces;
  const ns = t.kind === 'selector' ? describeSelector(t.selector) : t.kind === 'all' ? '<all>' : undefined;
  return {
    podSelector: describeSelector(compiled.target),
    ...(ns !== undefined && p.kind === 'AuditClusterNetworkPolicy' ? { namespaceSelector: ns } : {}),
    ingress: rules(compiled.ingress),
    egress: rules(compiled.egress),
  };
}

function promotion(d: GateDecision): DescribeModel['promotion'] {
  return { safe: d.problems.length === 0, problems: d.problems, overrides: d.overrides, warnings: d.warnings };
}

export function buildModel(p: AuditPolicy, events: { events: EventRow[]; note?: string }, now: Date): DescribeModel {
  const generation = p.metadata.generation ?? 0;
  const observed = p.status?.observedGeneration ?? null;
  const { topOffenders, ...evaluation } = p.status?.evaluation ?? {};
  return {
    kind: p.kind,
    name: p.metadata.name,
    ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}),
    labels: p.metadata.labels ?? {},
    ...specPart(p),
    generation,
    observedGeneration: observed,
    synced: observed !== null && observed >= generation,
    conditions: p.status?.conditions ?? [],
    evaluation: p.status?.evaluation ? evaluation : null,
    topOffenders: topOffenders ?? [],
    events: events.events,
    ...(events.note ? { eventsNote: events.note } : {}),
    promotion: promotion(safetyGate(p, { force: false, now })),
  };
}
