/**
 * `kubectl kguardian gen networkpolicy`: least-privilege policies from observed traffic, one per
 * workload, as AuditNetworkPolicies by default so the next step is `kubectl apply` and watching
 * WOULD-DENY. From the broker's flows and the live cluster, or offline from a cluster file and a
 * flow file as `audit test` reads them. The generator is imported when the command runs.
 */
import type { Argv } from 'yargs';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import { CliError, EXIT } from '../errors.js';
import type { GenOptions } from '../gen/run.js';
import { holdoutProblem } from '../gen/options.js';
import type { GenOutput } from '../gen/render.js';
import type { GenKind } from '../gen/types.js';
import { kubeFlags } from '../kube/flags.js';
import type { RegisterCommand } from './register.js';
import { durationFlag } from '../duration-flag.js';
import type { Example } from './examples.js';

export const KINDS: readonly GenKind[] = ['AuditNetworkPolicy', 'NetworkPolicy'];
export const OUTPUTS: readonly GenOutput[] = ['yaml', 'json'];

export const GEN_EXAMPLES: readonly Example[] = [
  ['$0 gen networkpolicy payments -n prod', 'An AuditNetworkPolicy for the payments workload from the last 7 days of recorded traffic'],
  ['$0 gen networkpolicy -n prod | kubectl apply -f -', 'One for every workload of prod, applied in audit mode: then watch WOULD-DENY'],
  ['$0 gen networkpolicy -A --since 14d --output-dir ./generated/', 'Every workload of the cluster, one file per policy'],
  ['$0 gen networkpolicy -l app=web -n shop --kind NetworkPolicy -o json', 'Enforcing NetworkPolicies for the workloads whose pods match app=web'],
  ['$0 gen networkpolicy -n prod --aggregate-cidr 24', 'External peers widened to their /24'],
  ['$0 gen networkpolicy -A --cluster cluster.yaml --flows flows.jsonl --holdout 1d', 'Offline; learn from all but the last day, then report what the policies would deny in it'],
];

function builder(y: Argv): Argv {
  return tokenFlags(y)
    .positional('workload', { type: 'string', describe: 'The workload: NAME, or KIND/NAME (deployment/payments) when a name is shared' })
    .option('l', { alias: 'selector', type: 'string', describe: 'Only workloads whose pods match this label query (app=web,tier!=db)' })
    .option('A', { alias: 'all-namespaces', type: 'boolean', default: false, describe: 'Every workload of every namespace' })
    .option('since', { type: 'string', default: '7d', describe: 'Learn from the flows the broker recorded within this long (15m, 24h, 7d)' })
    .option('kind', { type: 'string', choices: KINDS, default: 'AuditNetworkPolicy', describe: 'What to generate: AuditNetworkPolicy (judged, never enforced) or NetworkPolicy' })
    .option('o', { alias: 'output', type: 'string', choices: OUTPUTS, default: 'yaml', describe: 'Output format' })
    .option('output-dir', { type: 'string', describe: 'Write one file per policy, NAMESPACE.NAME.yaml (or .json), into this folder' })
    .option('cluster', {
      type: 'string',
      describe: 'Cluster file: kubectl get namespaces,nodes,pods,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs -A -o yaml (default: the live cluster)',
    })
    .option('flows', { type: 'string', describe: 'Flows as JSON Lines, as audit test reads them, optionally with firstSeen, lastSeen, count (default: the broker)' })
    .option('aggregate-cidr', { type: 'number', default: 32, describe: 'Widen external IPv4 peers to this prefix length (24: their /24)' })
    .option('aggregate-cidr6', { type: 'number', default: 128, describe: 'Widen external IPv6 peers to this prefix length' })
    .option('min-flows', { type: 'number', default: 10, describe: 'Warn when a workload was seen in fewer flows than this' })
    .option('holdout', { type: 'string', describe: 'Learn from all but the last part of the window (1d), then report what the policies would deny in that part' });
}

function prefix(flag: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new CliError(`${flag}: ${JSON.stringify(v)} is not a prefix length from 0 to ${max}`, EXIT.badInput);
  return v;
}

function text(v: unknown): string | undefined {
  const last: unknown = Array.isArray(v) ? v.at(-1) : v;
  return typeof last === 'string' && last !== '' ? last : undefined;
}

export function genOptions(argv: Record<string, unknown>): GenOptions {
  const since = text(argv.since) ?? '7d';
  const holdout = text(argv.holdout);
  const minFlows = argv.minFlows;
  if (typeof minFlows !== 'number' || !Number.isInteger(minFlows) || minFlows < 0) throw new CliError(`--min-flows: ${JSON.stringify(minFlows)} is not a whole number`, EXIT.badInput);
  const opts: GenOptions = {
    workload: text(argv.workload),
    selector: text(argv.l),
    namespace: kubeFlags(argv).namespace,
    allNamespaces: argv.A === true,
    since,
    sinceMs: durationFlag('--since', since),
    kind: argv.kind as GenKind,
    output: argv.o as GenOutput,
    outputDir: text(argv.outputDir),
    cluster: text(argv.cluster),
    flows: text(argv.flows),
    aggregateV4: prefix('--aggregate-cidr', argv.aggregateCidr, 32),
    aggregateV6: prefix('--aggregate-cidr6', argv.aggregateCidr6, 128),
    minFlows,
    holdoutMs: holdout === undefined ? undefined : durationFlag('--holdout', holdout),
    broker: brokerOptions(argv),
    kube: kubeFlags(argv),
  };
  if (opts.allNamespaces && opts.namespace !== undefined) throw new CliError('-n and -A together: choose one namespace (-n) or all of them (-A)', EXIT.badInput);
  const holdoutTooLong = holdout === undefined ? undefined : holdoutProblem(opts, holdout);
  if (holdoutTooLong !== undefined) throw new CliError(holdoutTooLong, EXIT.badInput);
  if (opts.cluster === '-' && opts.flows === '-') throw new CliError('only one of --cluster and --flows can read stdin (-)', EXIT.badInput);
  return opts;
}

export const registerGenNetworkPolicy: RegisterCommand = (y, { io, done }) =>
  y.command(
    ['networkpolicy [workload]', 'netpol [workload]'],
    'Generate a least-privilege policy per workload from its observed traffic, checked to deny none of it',
    builder,
    async (argv) => {
      const opts = genOptions(argv);
      const { runGen } = await import('../gen/run.js');
      done(await runGen(opts, io));
    },
  );

export const GEN_GROUP_EXAMPLES: readonly Example[] = [['$0 gen networkpolicy -n prod | kubectl apply -f -', 'Policies for every workload of prod, in audit mode']];
