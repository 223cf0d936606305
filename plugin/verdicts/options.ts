/**
 * `verdicts` options: parsed from yargs, validated with a sentence naming the flag, and turned
 * into the broker's query. Namespace scope: -n NS (default: the context's namespace) reads the
 * policies of NS, -A all policies, --cluster-scoped the cluster-scoped ones (namespace '').
 */
import { durationFlag } from '../duration-flag.js';
import { CliError, EXIT } from '../errors.js';
import type { Query } from '../broker/client.js';

export type VerdictsOutput = 'table' | 'wide' | 'json' | 'yaml';

/** The states a verdict can be filtered by (the agent's; `unknown` marks old rows and is not a filter). */
export const VERDICT_STATES = ['established', 'attempt', 'refused', 'seen'] as const;
export type VerdictStateFilter = (typeof VERDICT_STATES)[number];
export const VERDICTS_OUTPUTS: readonly VerdictsOutput[] = ['table', 'wide', 'json', 'yaml'];

/** Which policies' verdicts: one namespace, all, or the cluster-scoped ones. */
export type Scope = { kind: 'namespace'; namespace: string } | { kind: 'all' } | { kind: 'cluster' };

export interface VerdictsOptions {
  policy: string | undefined;
  /** -n as given; the context's namespace fills it in when neither -A nor --cluster-scoped. */
  namespace: string | undefined;
  allNamespaces: boolean;
  clusterScoped: boolean;
  verdict: 'WouldDeny' | 'Allow' | undefined;
  direction: 'Ingress' | 'Egress' | undefined;
  /** The flow's connection state as the agent saw it. */
  state: VerdictStateFilter | undefined;
  /** Look-back in ms. */
  sinceMs: number | undefined;
  limit: number;
  watch: boolean;
  /** Also older generations' verdicts (by default each policy's latest generation only). */
  allGenerations: boolean;
  output: VerdictsOutput;
  noHeaders: boolean;
}

function oneOf<T extends string>(flag: string, v: unknown, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const found = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (found === undefined) throw new CliError(`${flag}: ${JSON.stringify(text)} is not one of ${allowed.join(', ')}`, EXIT.badInput);
  return found;
}

/** Read as text (yargs would turn "abc" into NaN and the message could not quote it). */
function limitOf(v: unknown): number {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : JSON.stringify(v);
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(n)) throw new CliError(`--limit ${JSON.stringify(text)} is not a whole number; give the number of rows, from 1 to 1000000`, EXIT.badInput);
  if (n < 1 || n > 1_000_000) throw new CliError(`--limit ${text} is out of range; give the number of rows, from 1 to 1000000`, EXIT.badInput);
  return n;
}

export function verdictsOptions(argv: Record<string, unknown>): VerdictsOptions {
  const namespace = typeof argv.n === 'string' && argv.n !== '' ? argv.n : undefined;
  const allNamespaces = argv.A === true;
  const clusterScoped = argv.clusterScoped === true;
  if (allNamespaces && namespace !== undefined) throw new CliError('-A/--all-namespaces and -n/--namespace cannot be used together: give one', EXIT.badInput);
  if (clusterScoped && (allNamespaces || namespace !== undefined)) throw new CliError('--cluster-scoped cannot be used with -n or -A: it selects the cluster-scoped policies only', EXIT.badInput);
  return {
    policy: typeof argv.policy === 'string' ? argv.policy : undefined,
    namespace,
    allNamespaces,
    clusterScoped,
    verdict: oneOf('--verdict', argv.verdict, ['WouldDeny', 'Allow'] as const),
    direction: oneOf('--direction', argv.direction, ['Ingress', 'Egress'] as const),
    state: oneOf('--state', argv.state, VERDICT_STATES),
    sinceMs: argv.since === undefined ? undefined : durationFlag('--since', argv.since),
    limit: limitOf(argv.limit),
    watch: argv.watch === true,
    allGenerations: argv.allGenerations === true,
    output: oneOf('-o/--output', argv.o ?? 'table', VERDICTS_OUTPUTS) ?? 'table',
    // yargs reads --no-headers as headers=false.
    noHeaders: argv.headers === false,
  };
}

export function scopeOf(opts: VerdictsOptions, contextNamespace: string): Scope {
  if (opts.allNamespaces) return { kind: 'all' };
  if (opts.clusterScoped) return { kind: 'cluster' };
  return { kind: 'namespace', namespace: opts.namespace ?? contextNamespace };
}

/** The broker query; `since` is fixed once (RFC 3339) so a reconnecting watch keeps the same window. */
export function verdictQuery(opts: VerdictsOptions, scope: Scope, now: Date): Query {
  return {
    policy: opts.policy,
    namespace: scope.kind === 'namespace' ? scope.namespace : scope.kind === 'cluster' ? '' : undefined,
    verdict: opts.verdict,
    direction: opts.direction,
    state: opts.state,
    since: opts.sinceMs === undefined ? undefined : new Date(now.getTime() - opts.sinceMs).toISOString(),
    // The broker keeps each policy's highest stored generation: after an edit the old verdicts drop out.
    generations: opts.allGenerations ? undefined : 'latest',
  };
}
