/**
 * Compiles a raw policy object (any of the three kinds) into a CompiledPolicy, validating it
 * the way the API server validates a NetworkPolicy. Never throws: problems are returned with
 * their path and severity, and a policy with errors is not compiled.
 *
 * policyTypes defaulting, as upstream:
 * | policyTypes        | egress rules   | directions           |
 * |--------------------|----------------|----------------------|
 * | omitted or []      | omitted or []  | Ingress              |
 * | omitted or []      | non-empty      | Ingress, Egress      |
 * | [Egress]           | any            | Egress only          |
 * | explicit list      | any            | exactly the list     |
 * A direction in the list with no rules (`ingress: []` or omitted) denies everything in it.
 */
import type { CompiledPolicy, CompiledRule, TargetNamespaces } from './compiled.js';
import { policyId } from './compiled.js';
import { ProblemList, show, type PolicyProblem } from './errors.js';
import { policyText, ruleText } from './explain.js';
import { compilePeers } from './peer.js';
import { compilePorts } from './port.js';
import { compileSelector } from './selector.js';
import { shareRule } from './shared-rules.js';
import type { Direction, PolicyKind, PolicyObject } from './types.js';
import { POLICY_KINDS } from './types.js';

export interface CompileResult {
  policy: CompiledPolicy | undefined;
  problems: PolicyProblem[];
}

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileRules(raw: unknown, direction: Direction, problems: ProblemList): CompiledRule[] {
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersField = direction === 'Ingress' ? 'from' : 'to';
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.error(`spec.${field}`, 'type', `${field} must be a list of rules`);
    return [];
  }
  return raw.map((rule, index) => {
    const path = `spec.${field}[${index}]`;
    if (!isRecord(rule)) {
      problems.error(path, 'type', 'each rule must be an object');
      const empty = { index, peers: { kind: 'peers', peers: [] }, ports: { kind: 'any' } } as const;
      return { ...empty, text: ruleText(direction, empty) };
    }
    const compiled = {
      index,
      peers: compilePeers(rule[peersField], `${path}.${peersField}`, problems),
      ports: compilePorts(rule.ports, `${path}.ports`, problems),
    };
    return { ...compiled, text: ruleText(direction, compiled) };
  });
}

function compilePolicyTypes(spec: Raw, problems: ProblemList): Set<Direction> {
  const raw = spec.policyTypes;
  const hasEgressRules = Array.isArray(spec.egress) && spec.egress.length > 0;
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    return new Set<Direction>(hasEgressRules ? ['Ingress', 'Egress'] : ['Ingress']);
  }
  if (!Array.isArray(raw)) {
    problems.error('spec.policyTypes', 'type', 'policyTypes must be a list');
    return new Set<Direction>(['Ingress']);
  }
  // Upstream rejects more than two entries and unknown values; a repeated value is accepted.
  if (raw.length > 2) {
    problems.error('spec.policyTypes', 'values', 'may not specify more than two policyTypes');
    return new Set<Direction>(['Ingress']);
  }
  const types = new Set<Direction>();
  raw.forEach((t: unknown, i) => {
    if (t === 'Ingress' || t === 'Egress') types.add(t);
    else problems.error(`spec.policyTypes[${i}]`, 'policyType', show(t));
  });
  return types;
}

function compileTargetNamespaces(kind: PolicyKind, namespace: string, spec: Raw, problems: ProblemList): TargetNamespaces {
  if (kind !== 'AuditClusterNetworkPolicy') return { kind: 'name', name: namespace };
  const raw = spec.namespaceSelector;
  if (raw === undefined || raw === null) return { kind: 'all' };
  const selector = compileSelector(raw, 'spec.namespaceSelector', problems);
  return selector.kind === 'all' ? { kind: 'all' } : { kind: 'selector', selector };
}

function readIdentity(obj: Raw, problems: ProblemList): { kind: PolicyKind; name: string; namespace: string } | undefined {
  const kind = obj.kind;
  if (typeof kind !== 'string' || !POLICY_KINDS.includes(kind as PolicyKind)) {
    problems.error('kind', 'kind', show(kind));
    return undefined;
  }
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    problems.error('metadata.name', 'required');
    return undefined;
  }
  const clusterScoped = kind === 'AuditClusterNetworkPolicy';
  const rawNs = meta.namespace;
  const namespace = clusterScoped ? '' : typeof rawNs === 'string' && rawNs !== '' ? rawNs : 'default';
  return { kind: kind as PolicyKind, name, namespace };
}

function warnIgnoredRules(spec: Raw, types: Set<Direction>, problems: ProblemList): void {
  for (const d of ['Ingress', 'Egress'] as const) {
    const field = d === 'Ingress' ? 'ingress' : 'egress';
    const rules = spec[field];
    if (!types.has(d) && Array.isArray(rules) && rules.length > 0)
      problems.warn(`spec.${field}`, 'ignoredRules', d);
  }
}

/** Compiles one object. `obj` is untrusted (YAML, JSON, the API server). */
export function compilePolicy(obj: unknown): CompileResult {
  const problems = new ProblemList();
  if (!isRecord(obj)) {
    problems.error('', 'type', 'a policy must be an object');
    return { policy: undefined, problems: problems.items };
  }
  const id = readIdentity(obj, problems);
  const spec = obj.spec;
  if (!isRecord(spec)) problems.error('spec', 'required');
  if (!id || !isRecord(spec)) return { policy: undefined, problems: problems.items };

  const types = compilePolicyTypes(spec, problems);
  warnIgnoredRules(spec, types, problems);
  // In this order, so problems are listed as before: target, then ingress, then egress.
  const targetNamespaces = compileTargetNamespaces(id.kind, id.namespace, spec, problems);
  const target = compileSelector(spec.podSelector, 'spec.podSelector', problems);
  const ingress = types.has('Ingress') ? compileRules(spec.ingress, 'Ingress', problems) : null;
  const egress = types.has('Egress') ? compileRules(spec.egress, 'Egress', problems) : null;
  if (problems.hasErrors) return { policy: undefined, problems: problems.items };
  const meta = obj.metadata as Raw;
  const display = id.namespace === '' ? id.name : `${id.namespace}/${id.name}`;
  const policy: CompiledPolicy = {
    id: policyId(id.kind, id.namespace, id.name),
    ref: {
      kind: id.kind,
      namespace: id.namespace,
      name: id.name,
      ...(typeof meta.uid === 'string' ? { uid: meta.uid } : {}),
      ...(typeof meta.generation === 'number' ? { generation: meta.generation } : {}),
    },
    display,
    kind: id.kind,
    enforced: id.kind === 'NetworkPolicy',
    targetNamespaces,
    target,
    ingress: ingress && ingress.map(shareRule),
    egress: egress && egress.map(shareRule),
    source: obj as unknown as PolicyObject,
    reasonTexts: policyText(id.kind, display),
  };
  return { policy, problems: problems.items };
}
