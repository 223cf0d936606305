/**
 * `kubectl kguardian audit test`: what would these policies do to this traffic? Loads the
 * candidate policies, a cluster snapshot and recorded flows, runs every flow through the
 * policy engine, and prints the would-deny flows per policy. With --cluster and --flows it is
 * offline; without --cluster it reads the live cluster, without --flows the broker's recorded
 * flows (live-cluster.ts, live-flows.ts). The engine and loaders are imported when the command
 * runs, so `--help` does not pay for them.
 */
import type { Argv } from 'yargs';
import type { ClusterState } from '../../policy/index.js';
import type { ClusterSnapshot } from '../audit-test/load-cluster.js';
import type { AuditOutput } from '../audit-test/render.js';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import { CliError, EXIT } from '../errors.js';
import type { Source } from '../input/read-source.js';
import type { CliIO } from '../io.js';
import { kubeFlags } from '../kube/flags.js';
import { durationFlag } from '../duration-flag.js';
import type { AuditTestOptions } from '../audit-test/options.js';
import type { Example } from './examples.js';

export type { AuditTestOptions };

export const AUDIT_OUTPUTS: readonly AuditOutput[] = ['table', 'wide', 'json', 'yaml'];

export const AUDIT_TEST_EXAMPLES: readonly Example[] = [
  ['$0 audit test -f payments.yaml', "Would payments.yaml deny any of the last 24 hours' real traffic? (live cluster, broker flows)"],
  ['$0 audit test -f payments.yaml --since 7d --fail-on-deny', 'Against a week of recorded traffic, as a CI gate'],
  ['$0 audit test -f payments.yaml --cluster cluster.yaml --flows flows.jsonl', 'Offline: a saved snapshot and flow file'],
  ['$0 audit test -f policy.yaml --cluster cluster.yaml --flows flows.jsonl -o json | jq .summary', 'Counts for scripts'],
  ['$0 audit test -f policy.yaml --cluster cluster.yaml --flows flows.jsonl --fail-on-deny', 'Gate a CI pipeline'],
  ['$0 audit test -f policy.yaml --cluster cluster.yaml --flows flows.jsonl -o wide', 'Every verdict, with the rule that allowed it and what happens today'],
  ['$0 audit test -f policy.yaml --cluster cluster.yaml --flows flows.jsonl --no-headers', 'Rows without column headers'],
];

export function auditTestBuilder(y: Argv): Argv {
  return tokenFlags(y)
    .option('f', {
      alias: 'filename',
      type: 'string',
      array: true,
      demandOption: 'give at least one policy file with -f (use - for stdin)',
      describe: 'Policy YAML (NetworkPolicy, AuditNetworkPolicy, AuditClusterNetworkPolicy); repeatable; - reads stdin',
    })
    .option('cluster', {
      type: 'string',
      describe: 'Cluster snapshot: the output of kubectl get namespaces,pods,services,networkpolicies -A -o yaml (default: the live cluster)',
    })
    .option('flows', { type: 'string', describe: 'Recorded flows as JSON Lines, one {"src","dst","protocol","port"} a line (default: the broker\'s recorded flows)' })
    .option('since', { type: 'string', default: '24h', describe: 'Without --flows: replay the flows the broker recorded within this long (15m, 24h, 7d)' })
    .option('o', {
      alias: 'output',
      type: 'string',
      choices: AUDIT_OUTPUTS,
      default: 'table',
      describe: 'Output format; wide lists every verdict (Allow too) with the allowing rule, the IPs, the outcome today and once enforced, and notes',
    })
    .option('headers', { type: 'boolean', default: true, describe: 'Print the column header lines of the table; --no-headers leaves them out' })
    .option('fail-on-deny', { type: 'boolean', default: false, describe: 'Exit 3 when any flow would be denied' });
}

/** The parsed arguments, typed (yargs has already checked types and choices). */
export function auditTestOptions(argv: Record<string, unknown>): AuditTestOptions {
  return {
    files: (argv.f as string[] | undefined) ?? [],
    cluster: argv.cluster as string | undefined,
    flows: argv.flows as string | undefined,
    output: argv.o as AuditOutput,
    noHeaders: argv.headers === false,
    failOnDeny: argv.failOnDeny === true,
    since: typeof argv.since === 'string' ? argv.since : '24h',
    broker: brokerOptions(argv),
    kube: kubeFlags(argv),
  };
}

async function buildState(snapshot: ClusterSnapshot | undefined): Promise<ClusterState> {
  const { ClusterState } = await import('../../policy/index.js');
  const state = new ClusterState();
  if (!snapshot) return state;
  for (const ns of snapshot.namespaces) state.upsertNamespace(ns);
  for (const pod of snapshot.pods) state.upsertPod(pod);
  for (const p of snapshot.networkPolicies) state.upsertPolicy(p);
  return state;
}

/** The cluster and flow inputs: files when given, else the live cluster and the broker. */
async function readInputs(opts: AuditTestOptions, io: CliIO): Promise<{ cluster: Source; flows: Source }> {
  const { readSource } = await import('../input/read-source.js');
  if (opts.cluster !== undefined && opts.flows !== undefined) return { cluster: await readSource(opts.cluster, io), flows: await readSource(opts.flows, io) };
  const sinceMs = durationFlag('--since', opts.since);
  const { readLiveInputs } = await import('../audit-test/live-inputs.js');
  return readLiveInputs(opts, sinceMs, io, readSource);
}

export async function runAuditTest(opts: AuditTestOptions, io: CliIO): Promise<number> {
  if (opts.files.filter((f) => f === '-').length > 1) throw new CliError('-f - (stdin) can be given only once', EXIT.badInput);
  if ([opts.cluster, opts.flows].filter((f) => f === '-').length + opts.files.filter((f) => f === '-').length > 1) throw new CliError('only one of -f, --cluster and --flows can read stdin (-)', EXIT.badInput);
  const { readSource } = await import('../input/read-source.js');
  const { loadPolicies } = await import('../audit-test/load-policies.js');
  const { loadCluster } = await import('../audit-test/load-cluster.js');
  const { loadFlows } = await import('../audit-test/load-flows.js');
  const policySources = await Promise.all(opts.files.map((f) => readSource(f, io)));
  const candidates = loadPolicies(policySources);
  const inputs = await readInputs(opts, io);
  const snapshot = loadCluster(inputs.cluster);
  const flows = loadFlows(inputs.flows);
  for (const w of [...snapshot.warnings, ...candidates.warnings]) io.stderr.write(w + '\n');

  const state = await buildState(snapshot);
  // Candidates go in last: a candidate with the name of an enforced policy replaces it, as applying it would.
  for (const p of candidates.policies) state.upsertPolicy(p);
  const { evaluateFlow } = await import('../../policy/index.js');
  const { buildReport } = await import('../audit-test/report.js');
  const { renderReport } = await import('../audit-test/render.js');
  const { outputWidth } = await import('../output/width.js');
  // "Today" is the cluster without the candidates. A candidate NetworkPolicy counts as enforced in
  // `state` (it replaces its namespace/name or adds one), so today's outcome comes from the snapshot alone.
  const today = candidates.policies.some((p) => p.kind === 'NetworkPolicy') ? await buildState(snapshot) : undefined;
  const evaluated = flows.map((input) => {
    const evaluation = evaluateFlow(state, input.flow);
    if (today) evaluation.enforced = evaluateFlow(today, input.flow, { reasons: false }).enforced;
    return { input, evaluation };
  });
  const report = buildReport(state, candidates.policies, evaluated);
  io.stdout.write(renderReport(report, opts.output, { noHeaders: opts.noHeaders, width: outputWidth(io) }));
  return opts.failOnDeny && report.summary.denied > 0 ? EXIT.denied : EXIT.ok;
}
