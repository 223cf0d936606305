/**
 * Label selectors, compiled once. A raw selector is turned into either "everything" or a
 * list of requirements (matchLabels become single-value `In`s, as upstream does), so the
 * evaluator never looks at raw YAML again and matching is a short loop over Map lookups.
 *
 * | raw selector                      | compiled          |
 * |-----------------------------------|-------------------|
 * | `{}` or no fields                 | all               |
 * | matchLabels only                  | requirements (In) |
 * | matchExpressions only             | requirements      |
 * | both                              | requirements, ANDed |
 * (A nil selector on a peer is decided by peer.ts, not here.)
 */
import { DNS_SUBDOMAIN } from '../contracts/kube-names.js';
import { show, type ProblemList } from './errors.js';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

export interface Requirement {
  key: string;
  operator: Operator;
  values: ReadonlySet<string>;
}

export type Selector = { kind: 'all' } | { kind: 'requirements'; requirements: readonly Requirement[] };

export type LabelMap = ReadonlyMap<string, string>;

export const SELECT_ALL: Selector = { kind: 'all' };

// Upstream's qualified-name rules: optional DNS-subdomain prefix, then a name of up to 63 characters.
const NAME_PART = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && NAME_PART.test(name);
}

export function isValidLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME_PART.test(value));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileMatchLabels(raw: unknown, path: string, problems: ProblemList, out: Requirement[]): void {
  if (raw === undefined || raw === null) return;
  if (!isRecord(raw)) {
    problems.error(path, 'type', 'matchLabels must be a map of strings');
    return;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!isValidLabelKey(key)) problems.error(`${path}.${key}`, 'labelKey', key);
    if (typeof value !== 'string') {
      problems.error(`${path}.${key}`, 'type', 'label values must be strings');
      continue;
    }
    if (!isValidLabelValue(value)) problems.error(`${path}.${key}`, 'labelValue', value);
    out.push({ key, operator: 'In', values: new Set([value]) });
  }
}

function compileExpression(raw: unknown, path: string, problems: ProblemList): Requirement | undefined {
  if (!isRecord(raw)) {
    problems.error(path, 'type', 'each matchExpression must be an object');
    return undefined;
  }
  const { key, operator, values } = raw;
  if (typeof key !== 'string' || key === '') {
    problems.error(`${path}.key`, 'required');
    return undefined;
  }
  if (!isValidLabelKey(key)) problems.error(`${path}.key`, 'labelKey', key);
  if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
    problems.error(`${path}.operator`, 'operator', show(operator));
    return undefined;
  }
  const op = operator as Operator;
  const list = compileValues(values, op, `${path}.values`, problems);
  return list === undefined ? undefined : { key, operator: op, values: new Set(list) };
}

/** An expression's values: strings, present for In and NotIn, absent for Exists and DoesNotExist. */
function compileValues(values: unknown, op: Operator, path: string, problems: ProblemList): string[] | undefined {
  const list = values === undefined || values === null ? [] : values;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    problems.error(path, 'type', 'values must be a list of strings');
    return undefined;
  }
  (list as string[]).forEach((v, i) => {
    if (!isValidLabelValue(v)) problems.error(`${path}[${i}]`, 'labelValue', v);
  });
  const needsValues = op === 'In' || op === 'NotIn';
  if (needsValues && list.length === 0) problems.error(path, 'values', `must be non-empty when operator is ${op}`);
  if (!needsValues && list.length > 0) problems.error(path, 'values', `must be empty when operator is ${op}`);
  return list as string[];
}

/** Compiles a selector that is present (nil-ness is the caller's business). */
export function compileSelector(raw: unknown, path: string, problems: ProblemList): Selector {
  if (raw === null || raw === undefined) return SELECT_ALL;
  if (!isRecord(raw)) {
    problems.error(path, 'type', 'a label selector must be an object');
    return SELECT_ALL;
  }
  const requirements: Requirement[] = [];
  compileMatchLabels(raw.matchLabels, `${path}.matchLabels`, problems, requirements);
  const exprs = raw.matchExpressions;
  if (exprs !== undefined && exprs !== null) {
    if (!Array.isArray(exprs)) problems.error(`${path}.matchExpressions`, 'type', 'matchExpressions must be a list');
    else
      exprs.forEach((e, i) => {
        const req = compileExpression(e, `${path}.matchExpressions[${i}]`, problems);
        if (req) requirements.push(req);
      });
  }
  return requirements.length === 0 ? SELECT_ALL : { kind: 'requirements', requirements };
}

function matchesRequirement(r: Requirement, labels: LabelMap): boolean {
  const value = labels.get(r.key);
  switch (r.operator) {
    case 'In':
      return value !== undefined && r.values.has(value);
    case 'NotIn':
      return value === undefined || !r.values.has(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
  }
}

export function matchesSelector(selector: Selector, labels: LabelMap): boolean {
  if (selector.kind === 'all') return true;
  for (const r of selector.requirements) if (!matchesRequirement(r, labels)) return false;
  return true;
}

/** kubectl-style text: "app=web,tier in (a,b),!legacy", or "<all>" for the empty selector. */
export function describeSelector(selector: Selector): string {
  if (selector.kind === 'all') return '<all>';
  return selector.requirements
    .map((r) => {
      const vals = [...r.values].sort().join(',');
      switch (r.operator) {
        case 'In':
          return r.values.size === 1 ? `${r.key}=${vals}` : `${r.key} in (${vals})`;
        case 'NotIn':
          return `${r.key} notin (${vals})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}

/** Labels from YAML are plain objects; a Map avoids prototype keys such as "constructor". */
export function toLabelMap(labels: Readonly<Record<string, string>> | undefined): LabelMap {
  return new Map(Object.entries(labels ?? {}));
}
