/**
 * kubectl's `-l` label query, parsed locally (the offline form has no API server to ask):
 * comma-separated requirements `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`,
 * compiled to the policy engine's selector so matching means the same thing everywhere.
 */
import type { LabelSelector, LabelSelectorRequirement } from '../../policy/index.js';
import { ProblemList } from '../../policy/errors.js';
import { compileSelector, matchesSelector, toLabelMap, type Selector } from '../../policy/selector.js';
import { CliError, EXIT } from '../errors.js';

/** Splits at commas outside parentheses. */
function requirements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

const SET = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^()]*)\)$/;
const EQUALS = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const EXISTS = /^(!?)([^\s!=(),]+)$/;

function parseOne(text: string, flag: string): LabelSelectorRequirement {
  const set = SET.exec(text);
  if (set) return { key: set[1] as string, operator: set[2] === 'in' ? 'In' : 'NotIn', values: (set[3] as string).split(',').map((v) => v.trim()) };
  const eq = EQUALS.exec(text);
  if (eq) return { key: eq[1] as string, operator: eq[2] === '!=' ? 'NotIn' : 'In', values: [eq[3] as string] };
  const exists = EXISTS.exec(text);
  if (exists) return { key: exists[2] as string, operator: exists[1] === '!' ? 'DoesNotExist' : 'Exists' };
  throw new CliError(`${flag}: ${JSON.stringify(text)} is not a label requirement; use k=v, k!=v, k, !k, "k in (a,b)" or "k notin (a,b)"`, EXIT.badInput);
}

export function parseLabelQuery(text: string, flag = '-l/--selector'): Selector {
  const raw: LabelSelector = { matchExpressions: requirements(text).filter((r) => r !== '').map((r) => parseOne(r, flag)) };
  const problems = new ProblemList();
  const selector = compileSelector(raw, flag, problems);
  const bad = problems.items.find((p) => p.severity === 'error');
  if (bad) throw new CliError(`${flag}: ${JSON.stringify(text)}: ${bad.message}`, EXIT.badInput);
  return selector;
}

export function labelsMatch(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  return matchesSelector(selector, toLabelMap(labels));
}
