/**
 * Loads the candidate policies given with -f: any of the three kinds, validated exactly as
 * the engine compiles them, so a bad CIDR or selector fails here with its file, document and
 * field instead of silently matching nothing.
 */
import type { PolicyObject, PolicyProblem } from '../../policy/index.js';
import { compilePolicy, POLICY_KINDS, type PolicyKind } from '../../policy/index.js';
import { InputError, formatLocation } from '../errors.js';
import type { Source } from '../input/read-source.js';
import type { LocatedObject } from './objects.js';
import { readObjects } from './objects.js';

export interface LoadedPolicies {
  policies: PolicyObject[];
  warnings: string[];
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
    for (const o of readObjects(source)) {
      if (!POLICY_KINDS.includes(o.kind as PolicyKind))
        throw new InputError(
          { ...o.location, field: `${o.fieldPrefix}kind` },
          `${o.kind} is not a policy kind: -f accepts NetworkPolicy, AuditNetworkPolicy and AuditClusterNetworkPolicy`,
        );
      policies.push(checkPolicy(o, warnings));
    }
  }
  return { policies, warnings };
}
