/**
 * What `describe` was asked about, in any of kubectl's spellings: `NAME` (an
 * AuditNetworkPolicy), `KIND NAME`, or `KIND/NAME`, where KIND is a short name, singular,
 * plural, or plural.group: kganp, auditnetworkpolicy, auditnetworkpolicies.kguardian.dev, kgacnp, ...
 */
import { CliError, EXIT } from '../errors.js';
import { GROUP } from '../../contracts/audit-policy-api.js';
import { ACNP, ANP, type AuditResource } from '../kube/objects.js';

export interface DescribeTarget {
  res: AuditResource;
  name: string;
}

function kindOf(word: string): AuditResource | undefined {
  const w = word.toLowerCase();
  for (const res of [ANP, ACNP]) {
    const names = [res.shortName, res.kind.toLowerCase(), res.plural, `${res.plural}.${GROUP}`, `${res.kind.toLowerCase()}.${GROUP}`];
    if (names.includes(w)) return res;
  }
  return undefined;
}

function unknownKind(word: string): CliError {
  return new CliError(`"${word}" is not a kind describe knows: use ${ANP.shortName} (AuditNetworkPolicy) or ${ACNP.shortName} (AuditClusterNetworkPolicy)`, EXIT.badInput);
}

export function parseDescribeTarget(args: readonly string[]): DescribeTarget {
  const [first, second, ...rest] = args;
  if (first === undefined || first === '') throw new CliError(`name a policy: describe NAME [-n NAMESPACE], or describe ${ACNP.shortName} NAME`, EXIT.badInput);
  if (rest.length > 0) throw new CliError(`describe takes one policy; got extra arguments: ${rest.join(' ')}`, EXIT.badInput);
  if (second !== undefined) {
    const res = kindOf(first);
    if (!res) throw unknownKind(first);
    if (second.includes('/')) throw new CliError(`give the kind once: describe ${first} NAME or describe ${first}/NAME`, EXIT.badInput);
    return { res, name: second };
  }
  const slash = first.indexOf('/');
  if (slash < 0) return { res: ANP, name: first };
  const kind = first.slice(0, slash);
  const name = first.slice(slash + 1);
  const res = kindOf(kind);
  if (!res) throw unknownKind(kind);
  if (name === '') throw new CliError(`${first}: the name after the "/" is missing`, EXIT.badInput);
  return { res, name };
}
