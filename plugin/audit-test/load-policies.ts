/**
 * Loads the candidate policies given with -f: any of the three kinds, validated exactly as
 * the engine compiles them, so a bad CIDR or selector fails here with its file, document and
 * field instead of silently matching nothing. First, a field the kind does not have (a typo
 * such as podSelectr, which would otherwise be dropped and leave an empty selector that selects
 * every pod) is refused as the API server refuses it, with the line it is on. A file with no
 * object at all is refused too: a CI gate fed an empty file must not pass.
 */
import type { PolicyObject, PolicyProblem } from '../../policy/index.js';
import { fieldPath } from '../../contracts/zod-issue.js';
import { unknownFields } from '../../crds/unknown-fields.js';
import { compilePolicy, POLICY_KINDS, type PolicyKind } from '../../policy/index.js';
import { InputError, formatLocation } from '../errors.js';
import type { Source } from '../input/read-source.js';
import type { LocatedObject } from './objects.js';
import { readObjects } from './objects.js';

export interface LoadedPolicies {
  policies: PolicyObject[];
  warnings: string[];
}

/** A close known name: same letters in another case, or one or two edits away. */
function suggestion(field: string, known: readonly string[]): string | undefined {
  const lower = field.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => editDistance(k, field) <= 2);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The first field the API server would refuse as unknown, as an InputError at its line. */
function refuseUnknownFields(o: LocatedObject): void {
  const [first] = unknownFields(o.kind, o.object);
  if (!first) return;
  const name = String(first.path.at(-1));
  const parent = first.path.length > 1 ? fieldPath(first.path.slice(0, -1)) : o.kind;
  const close = suggestion(name, first.known);
  const hint = close ? `did you mean ${close}?` : `${parent} has ${first.known.join(', ')}`;
  const line = o.lineOf?.(first.path) ?? o.location.line;
  throw new InputError(
    { ...o.location, ...(line !== undefined ? { line } : {}), field: `${o.fieldPrefix}${fieldPath(first.path)}` },
    `unknown field "${name}" (${hint}); the API server refuses it too`,
  );
}

/** Compiles once to validate; the first error becomes an InputError naming the field. */
export function checkPolicy(o: LocatedObject, warnings: string[]): PolicyObject {
  const { problems } = compilePolicy(o.object);
  const report = (p: PolicyProblem): string => `${o.fieldPrefix}${p.path}`;
  const error = problems.find((p) => p.severity === 'error');
  if (error) throw new InputError({ ...o.location, field: report(error) }, error.message);
  for (const w of problems) warnings.push(`warning: ${formatLocation({ ...o.location, field: report(w) })}: ${w.message}`);
  return o.object as unknown as PolicyObject;
}

export function loadPolicies(sources: readonly Source[]): LoadedPolicies {
  const policies: PolicyObject[] = [];
  const warnings: string[] = [];
  for (const source of sources) {
    const objects = readObjects(source, { lines: true });
    if (objects.length === 0) throw new InputError({ file: source.name }, 'holds no policy: give a file with a NetworkPolicy, AuditNetworkPolicy or AuditClusterNetworkPolicy');
    for (const o of objects) {
      if (!POLICY_KINDS.includes(o.kind as PolicyKind))
        throw new InputError(
          { ...o.location, field: `${o.fieldPrefix}kind` },
          `${o.kind} is not a policy kind: -f accepts NetworkPolicy, AuditNetworkPolicy and AuditClusterNetworkPolicy`,
        );
      refuseUnknownFields(o);
      policies.push(checkPolicy(o, warnings));
    }
  }
  return { policies, warnings };
}
