/**
 * `kubectl kguardian audit test`: what would these policies do to this traffic? Loads the
 * candidate policies, a cluster snapshot and recorded flows, runs every flow through the
 * policy engine, and prints the would-deny flows per policy. Offline: it talks to nothing.
 */
import type { Argv } from 'yargs';
import { ClusterState, evaluateFlow } from '../../policy/index.js';
import type { ClusterSnapshot } from '../audit-test/load-cluster.js';
import { loadCluster } from '../audit-test/load-cluster.js';
import { loadFlows } from '../audit-test/load-flows.js';
import { loadPolicies } from '../audit-test/load-policies.js';
import type { AuditOutput } from '../audit-test/render.js';
import { renderReport } from '../audit-test/render.js';
import { buildReport } from '../audit-test/report.js';
import { CliError, EXIT } from '../errors.js';
import { readSource } from '../input/read-source.js';
import type { CliIO } from '../io.js';

export interface AuditTestOptions {
  files: string[];
  cluster: string | undefined;
  flows: string | undefined;
  output: AuditOutput;
  failOnDeny: boolean;
}

export const AUDIT_OUTPUTS: readonly AuditOutput[] = ['table', 'json', 'yaml'];

export function auditTestBuilder(y: Argv): Argv {
  return y
    .option('f', {
      alias: 'filename',
      type: 'string',
      array: true,
      demandOption: 'give at least one policy file with -f (use - for stdin)',
      describe: 'Policy YAML (NetworkPolicy, AuditNetworkPolicy, AuditClusterNetworkPolicy); repeatable; - reads stdin',
    })
    .option('cluster', {
      type: 'string',
      describe: 'Cluster snapshot: the output of kubectl get namespaces,pods,services,networkpolicies -A -o yaml',
    })
    .option('flows', { type: 'string', describe: 'Recorded flows as JSON Lines, one {"src","dst","protocol","port"} a line' })
    .option('o', { alias: 'output', type: 'string', choices: AUDIT_OUTPUTS, default: 'table', describe: 'Output format' })
    .option('fail-on-deny', { type: 'boolean', default: false, describe: 'Exit 3 when any flow would be denied' })
    .example('$0 audit test -f payments.yaml --cluster cluster.yaml --flows flows.jsonl', 'Which recorded flows would payments.yaml deny?')
    .example('$0 audit test -f policy.yaml --cluster cluster.yaml --flows flows.jsonl -o json | jq .summary', 'Counts for scripts')
    .example('$0 audit test -f policy.yaml --cluster cluster.yaml --flows flows.jsonl --fail-on-deny', 'Gate a CI pipeline');
}

/** The parsed arguments, typed (yargs has already checked types and choices). */
export function auditTestOptions(argv: Record<string, unknown>): AuditTestOptions {
  return {
    files: (argv.f as string[] | undefined) ?? [],
    cluster: argv.cluster as string | undefined,
    flows: argv.flows as string | undefined,
    output: argv.o as AuditOutput,
    failOnDeny: argv.failOnDeny === true,
  };
}

function buildState(snapshot: ClusterSnapshot | undefined): ClusterState {
  const state = new ClusterState();
  if (!snapshot) return state;
  for (const ns of snapshot.namespaces) state.upsertNamespace(ns);
  for (const pod of snapshot.pods) state.upsertPod(pod);
  for (const p of snapshot.networkPolicies) state.upsertPolicy(p);
  return state;
}

export async function runAuditTest(opts: AuditTestOptions, io: CliIO): Promise<number> {
  if (opts.files.filter((f) => f === '-').length > 1) throw new CliError('-f - (stdin) can be given only once', EXIT.badInput);
  // Live inputs (the cluster and the broker's recorded flows) arrive with the plugin's cluster access.
  if (opts.cluster === undefined) throw new CliError('--cluster is required: save one with kubectl get namespaces,pods,services,networkpolicies -A -o yaml > cluster.yaml', EXIT.badInput);
  if (opts.flows === undefined) throw new CliError('--flows is required: a JSON Lines file of flows', EXIT.badInput);

  const policySources = await Promise.all(opts.files.map((f) => readSource(f, io)));
  const candidates = loadPolicies(policySources);
  const snapshot = loadCluster(await readSource(opts.cluster, io));
  const flows = loadFlows(await readSource(opts.flows, io));
  for (const w of [...snapshot.warnings, ...candidates.warnings]) io.stderr.write(w + '\n');

  const state = buildState(snapshot);
  // Candidates go in last: a candidate with the name of an enforced policy replaces it, as applying it would.
  for (const p of candidates.policies) state.upsertPolicy(p);
  const evaluated = flows.map((input) => ({ input, evaluation: evaluateFlow(state, input.flow) }));
  const report = buildReport(state, candidates.policies, evaluated);
  io.stdout.write(renderReport(report, opts.output));
  return opts.failOnDeny && report.summary.denied > 0 ? EXIT.denied : EXIT.ok;
}
