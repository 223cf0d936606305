/**
 * `kubectl kguardian flows export`: the broker's recorded flows of a window, written to standard
 * output as `audit test --flows` reads them (flows/export.ts). Namespace scope as kubectl's: -n
 * NS (default: the context's namespace) keeps the flows with either end in NS, -A keeps all. The
 * broker client and js-yaml are imported when the command runs, so `--help` does not pay for them.
 */
import type { Argv } from 'yargs';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import type { BrokerOptions } from '../broker/types.js';
import { CliError, EXIT } from '../errors.js';
import { EXPORT_OUTPUTS, inScope, outputOf, type ExportOutput, type ExportScope } from '../flows/export.js';
import type { CliIO } from '../io.js';
import type { KubeFlags } from '../kube/connect.js';
import { kubeFlags } from '../kube/flags.js';
import type { RegisterCommand } from './register.js';
import { durationFlag } from '../duration-flag.js';
import type { Example } from './examples.js';

export const FLOWS_EXPORT_EXAMPLES: readonly Example[] = [
  ['$0 flows export -n prod > flows.jsonl', 'The last 24 hours of flows to or from prod, for an offline audit test --flows'],
  ['$0 flows export -A --since 7d | gzip > week.jsonl.gz', 'A week of the whole cluster, compressed'],
  ['$0 flows export -n prod -o json | jq \'.flows | length\'', 'How many distinct flows'],
];

export const FLOWS_GROUP_EXAMPLES: readonly Example[] = [['$0 flows export -n prod > flows.jsonl', 'Save recorded flows for offline tests']];

export interface FlowsExportRun {
  namespace: string | undefined;
  allNamespaces: boolean;
  since: string;
  sinceMs: number;
  output: ExportOutput;
  broker: BrokerOptions;
  kube: KubeFlags;
}

function builder(y: Argv): Argv {
  return tokenFlags(y)
    .option('A', { alias: 'all-namespaces', type: 'boolean', default: false, describe: 'Flows of every namespace (default: those with either end in -n NAMESPACE)' })
    .option('since', { type: 'string', default: '24h', describe: 'Flows recorded within this long (15m, 24h, 7d)' })
    .option('o', { alias: 'output', type: 'string', default: 'jsonl', describe: `Output format: ${EXPORT_OUTPUTS.join(', ')} (jsonl is what audit test --flows reads)` });
}

export function flowsExportRun(argv: Record<string, unknown>): FlowsExportRun {
  const kube = kubeFlags(argv);
  const allNamespaces = argv.A === true;
  if (allNamespaces && kube.namespace !== undefined) throw new CliError('-A/--all-namespaces and -n/--namespace cannot be used together: give one', EXIT.badInput);
  const since = typeof argv.since === 'string' ? argv.since : JSON.stringify(argv.since);
  return { namespace: kube.namespace, allNamespaces, since, sinceMs: durationFlag('--since', since), output: outputOf(argv.o ?? 'jsonl'), broker: brokerOptions(argv), kube };
}

export async function runFlowsExport(run: FlowsExportRun, io: CliIO, now = new Date()): Promise<number> {
  const [{ brokerClient }, { openBroker }, { lazyKube }, { readBrokerWindow }, { renderExport }] = await Promise.all([
    import('../broker/client.js'),
    import('../broker/connect.js'),
    import('../broker/kube-loader.js'),
    import('../gen/live-flows.js'),
    import('../flows/render.js'),
  ]);
  const kube = lazyKube(run.kube, io);
  const conn = await openBroker(run.broker, io, kube.load);
  try {
    if (run.namespace === undefined && !run.allNamespaces) await kube.load(false);
    const scope: ExportScope = run.allNamespaces ? { kind: 'all' } : { kind: 'namespace', namespace: run.namespace ?? kube.connection()?.namespace ?? 'default' };
    const source = await readBrokerWindow(brokerClient(conn), { from: now.getTime() - run.sinceMs, to: now.getTime() }, `broker flows (since ${run.since})`, io, inScope(scope));
    if (source.text === '') io.stderr.write(`No flows recorded within ${run.since}${scope.kind === 'namespace' ? ` to or from namespace ${scope.namespace}` : ''}.\n`);
    io.stdout.write(renderExport(source.text, run.output));
    return EXIT.ok;
  } finally {
    await conn.close();
  }
}

export const registerFlowsExport: RegisterCommand = (y, { io, done }) =>
  y.command(
    'export',
    'Write the flows the broker recorded as JSON Lines, as audit test --flows and gen networkpolicy --flows read them',
    (b) => builder(b),
    async (argv) => {
      done(await runFlowsExport(flowsExportRun(argv), io));
    },
  );
