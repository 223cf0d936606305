/**
 * Problems found while compiling a policy, and every message the compiler can produce.
 * Messages live here, in one place, so tests and documentation can assert on them and a
 * bad object in the cluster becomes a typed, located problem instead of an exception.
 */

export type Severity = 'error' | 'warning';

export interface PolicyProblem {
  severity: Severity;
  /** Dotted path from the object root, e.g. "spec.ingress[0].from[1].ipBlock.cidr". */
  path: string;
  code: ProblemCode;
  message: string;
}

export type ProblemCode =
  | 'required'
  | 'type'
  | 'operator'
  | 'values'
  | 'labelKey'
  | 'labelValue'
  | 'protocol'
  | 'port'
  | 'endPort'
  | 'cidr'
  | 'except'
  | 'peer'
  | 'policyType'
  | 'kind'
  | 'nonCanonicalCidr'
  | 'ignoredRules';

/** The message for each code, given the offending value (already rendered as text). */
export const MESSAGES: Record<ProblemCode, (value: string) => string> = {
  required: () => 'is required',
  type: (v) => `has the wrong type: ${v}`,
  operator: (v) => `has unknown operator ${v}: valid operators are In, NotIn, Exists, DoesNotExist`,
  values: (v) => v,
  labelKey: (v) => `${v} is not a valid label key`,
  labelValue: (v) => `${v} is not a valid label value`,
  protocol: (v) => `${v} is not a supported protocol: valid protocols are TCP, UDP, SCTP`,
  port: (v) => `${v} is not a valid port: use a number from 1 to 65535 or a port name (IANA_SVC_NAME)`,
  endPort: (v) => v,
  cidr: (v) => `${v} is not a valid CIDR`,
  except: (v) => v,
  peer: (v) => v,
  policyType: (v) => `${v} is not a valid policy type: valid types are Ingress, Egress`,
  kind: (v) => `${v} is not a supported kind: valid kinds are NetworkPolicy, AuditNetworkPolicy, AuditClusterNetworkPolicy`,
  nonCanonicalCidr: (v) => `${v} has host bits set; it is read as its network address`,
  ignoredRules: (v) => `${v} is not in policyTypes, so these rules are ignored`,
};

/** Renders an untrusted value for a message: strings as they are, anything else as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value;
  }
}

/** Collects problems while walking one object; compile functions take one and keep going. */
export class ProblemList {
  readonly items: PolicyProblem[] = [];

  add(severity: Severity, path: string, code: ProblemCode, value: unknown): void {
    this.items.push({ severity, path, code, message: MESSAGES[code](show(value)) });
  }

  error(path: string, code: ProblemCode, value: unknown = ''): void {
    this.add('error', path, code, value);
  }

  warn(path: string, code: ProblemCode, value: unknown = ''): void {
    this.add('warning', path, code, value);
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === 'error');
  }
}

/** One line per problem: "spec.ingress[0].ports[0].port: 0 is not a valid port: ...". */
export function formatProblem(p: PolicyProblem): string {
  return `${p.path}: ${p.message}`;
}
