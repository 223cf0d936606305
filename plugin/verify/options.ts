/**
 * `verify` options: which NetworkPolicies (one by name, or --all in the namespace, or -A every
 * namespace), the window, the output, validated with a sentence naming the flag.
 */
import { CliError, EXIT } from '../errors.js';
import type { Query } from '../broker/client.js';
import { durationFlag } from '../duration-flag.js';

export type VerifyOutput = 'table' | 'json' | 'yaml';
export const VERIFY_OUTPUTS: readonly VerifyOutput[] = ['table', 'json', 'yaml'];

export interface VerifyOptions {
  /** The NetworkPolicy's name; undefined with --all or -A. */
  name: string | undefined;
  namespace: string | undefined;
  allNamespaces: boolean;
  sinceMs: number;
  since: string;
  /** Only the flows where prediction and observation disagree. */
  mismatchesOnly: boolean;
  output: VerifyOutput;
  noHeaders: boolean;
}

export function verifyOptions(argv: Record<string, unknown>): VerifyOptions {
  const target = targetOf(argv);
  const output = typeof argv.o === 'string' ? argv.o : 'table';
  if (!(VERIFY_OUTPUTS as readonly string[]).includes(output)) throw new CliError(`-o/--output: ${JSON.stringify(output)} is not one of ${VERIFY_OUTPUTS.join(', ')}`, EXIT.badInput);
  const since = typeof argv.since === 'string' ? argv.since : '1h';
  return {
    ...target, since, sinceMs: durationFlag('--since', since),
    mismatchesOnly: argv.mismatches === true, output: output as VerifyOutput, noHeaders: argv.headers === false,
  };
}

/** Which NetworkPolicies: a name, --all or -A, exactly one of them, and -n not with -A. */
function targetOf(argv: Record<string, unknown>): Pick<VerifyOptions, 'name' | 'namespace' | 'allNamespaces'> {
  const name = typeof argv.name === 'string' && argv.name !== '' ? argv.name : undefined;
  const namespace = typeof argv.n === 'string' && argv.n !== '' ? argv.n : undefined;
  const all = argv.all === true;
  const allNamespaces = argv.A === true;
  if (allNamespaces && namespace !== undefined) throw new CliError('-A/--all-namespaces and -n/--namespace cannot be used together: give one', EXIT.badInput);
  if (name !== undefined && (all || allNamespaces)) throw new CliError(`give a NetworkPolicy NAME or --all/-A, not both (got ${JSON.stringify(name)})`, EXIT.badInput);
  if (name === undefined && !all && !allNamespaces) throw new CliError('name a NetworkPolicy, or give --all (every NetworkPolicy of the namespace) or -A (every namespace)', EXIT.badInput);
  return { name, namespace, allNamespaces };
}

/** The broker query; the namespace is the context's unless -n or -A. */
export function verifyQuery(o: VerifyOptions, contextNamespace: string, now: Date): Query {
  return {
    namespace: o.allNamespaces ? undefined : (o.namespace ?? contextNamespace),
    policy: o.name,
    since: new Date(now.getTime() - o.sinceMs).toISOString(),
    mismatches: o.mismatchesOnly ? 'true' : undefined,
    limit: 10_000,
  };
}
