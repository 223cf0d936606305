/**
 * The policy engine's compiled view of an audit object, for what the plugin must understand
 * about a spec: which namespaces a cluster policy selects, and the rules in words. A spec
 * the engine cannot compile is reported with its field path, never guessed at.
 */
import { compilePolicy, formatProblem, type CompiledPolicy } from '../../policy/index.js';
import { CliError, EXIT } from '../errors.js';
import { displayName, type AuditPolicy } from '../kube/objects.js';

export function compileAudit(p: AuditPolicy): CompiledPolicy {
  const { policy, problems } = compilePolicy(p);
  const errors = problems.filter((x) => x.severity === 'error');
  if (!policy || errors.length > 0) {
    throw new CliError(`${displayName(p)} cannot be understood: ${(errors.length > 0 ? errors : problems).map(formatProblem).join('; ')}`, EXIT.failure);
  }
  return policy;
}
