/**
 * `kubectl kguardian verdicts`: the broker's audit verdicts as a table (or wide, JSON, YAML),
 * oldest first, up to --limit; with --watch it then follows the broker's stream until
 * interrupted, surviving reconnects without losing or repeating a row. The broker client and
 * the renderer (js-yaml) are imported when the command runs, so `--help` does not pay for them.
 */
import type { Argv } from 'yargs';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import type { BrokerOptions, StoredVerdict } from '../broker/types.js';
import { EXIT } from '../errors.js';
import type { CliIO } from '../io.js';
import type { KubeFlags } from '../kube/connect.js';
import type { RegisterCommand } from './register.js';
import { kubeFlags } from '../kube/flags.js';
import { scopeOf, verdictQuery, verdictsOptions, VERDICT_STATES, VERDICTS_OUTPUTS, type Scope, type VerdictsOptions } from '../verdicts/options.js';
import type * as Render from '../verdicts/render.js';
import type { Example } from './examples.js';

export interface VerdictsRun {
  opts: VerdictsOptions;
  broker: BrokerOptions;
  kube: KubeFlags;
}

export const VERDICTS_EXAMPLES: readonly Example[] = [
  ['$0 verdicts -n prod --verdict WouldDeny --since 1h', 'What would the audit policies of prod have denied in the last hour?'],
  ['$0 verdicts -A --watch', 'Follow every verdict as it is stored'],
  ['$0 verdicts --policy payments-isolation -n prod -o json --watch | jq .reason', 'Stream JSON lines into a script'],
  ['$0 verdicts --cluster-scoped', 'Verdicts of AuditClusterNetworkPolicies'],
  ['$0 verdicts --policy payments-isolation -n prod --all-generations', 'Before and after an edit: every generation, with a GEN column'],
  ['$0 verdicts -A --state refused --since 1h', 'Which connections were refused (reset) in the last hour, and what the policies would say'],
  ['$0 verdicts --broker-url http://localhost:9090 --token-file ./token', 'Skip the port-forward'],
];

export function verdictsBuilder(y: Argv): Argv {
  return tokenFlags(y)
    .option('policy', { type: 'string', describe: 'Only verdicts of the policy with this name' })
    .option('A', { alias: 'all-namespaces', type: 'boolean', default: false, describe: 'Verdicts of policies in every namespace, and of cluster-scoped ones' })
    .option('cluster-scoped', { type: 'boolean', default: false, describe: 'Verdicts of cluster-scoped policies (AuditClusterNetworkPolicy) only' })
    .option('verdict', { type: 'string', describe: 'WouldDeny or Allow' })
    .option('direction', { type: 'string', describe: 'Ingress or Egress' })
    .option('state', { type: 'string', describe: `Only flows in this connection state: ${VERDICT_STATES.join(', ')} (attempt: never established; refused: reset)` })
    .option('since', { type: 'string', describe: 'Only verdicts observed within this long, such as 15m, 1h, 7d' })
    .option('limit', { type: 'string', default: '100', describe: 'At most this many rows (the newest), before --watch follows' })
    .option('all-generations', { type: 'boolean', default: false, describe: "Also verdicts of a policy's older generations (default: each policy's latest); the table then shows GEN" })
    .option('w', { alias: 'watch', type: 'boolean', default: false, describe: 'After the rows so far, print new verdicts as they arrive (Ctrl-C stops)' })
    .option('o', { alias: 'output', type: 'string', default: 'table', describe: `Output format: ${VERDICTS_OUTPUTS.join(', ')}` })
    .option('headers', { type: 'boolean', default: true, describe: 'Print the table header line; --no-headers leaves it out' });
}

export function verdictsRun(argv: Record<string, unknown>): VerdictsRun {
  return { opts: verdictsOptions(argv), broker: brokerOptions(argv), kube: kubeFlags(argv) };
}

/** With --policy, the line says that no verdict names it: a misspelt name reads the same as a quiet policy otherwise. */
function emptyLine(scope: Scope, policy: string | undefined): string {
  const where = scope.kind === 'all' ? '' : scope.kind === 'cluster' ? ' for cluster-scoped policies' : ` in ${scope.namespace} namespace`;
  if (policy === undefined) return `No verdicts found${where}.\n`;
  const list = scope.kind === 'namespace' ? `kubectl get auditnetworkpolicies -n ${scope.namespace}` : scope.kind === 'cluster' ? 'kubectl get auditclusternetworkpolicies' : 'kubectl get kguardian -A';
  return `No verdicts name policy "${policy}"${where}: either it saw no traffic in that time, or no such policy exists (list them with: ${list}).\n`;
}

/** How a table is laid out for this run: the output width, and whether one namespace was asked for. */
function layoutOf(opts: VerdictsOptions, scope: Scope, io: CliIO, width: (io: CliIO) => number): Omit<Render.TableLayout, 'output'> {
  return { noHeaders: opts.noHeaders, width: width(io), oneNamespace: scope.kind === 'namespace', now: () => io.now?.() ?? new Date(), allGenerations: opts.allGenerations };
}

function printer(render: typeof Render, opts: VerdictsOptions, layout: Omit<Render.TableLayout, 'output'>, io: CliIO): (rows: readonly StoredVerdict[]) => void {
  const { renderStreamed, TableWriter } = render;
  const table = new TableWriter({ ...layout, output: opts.output === 'wide' ? 'wide' : 'table' });
  const machine = opts.output === 'json' || opts.output === 'yaml' ? opts.output : undefined;
  return (rows) => {
    if (machine) for (const v of rows) io.stdout.write(renderStreamed(v, machine));
    else if (rows.length > 0) io.stdout.write(table.write(rows));
  };
}

export async function runVerdicts(run: VerdictsRun, io: CliIO, signal?: AbortSignal): Promise<number> {
  const [{ brokerClient }, { openBroker }, { followVerdicts }, { lazyKube }, { listVerdicts }, render, { outputWidth }] = await Promise.all([
    import('../broker/client.js'),
    import('../broker/connect.js'),
    import('../broker/follow.js'),
    import('../broker/kube-loader.js'),
    import('../broker/verdict-pages.js'),
    import('../verdicts/render.js'),
    import('../output/width.js'),
  ]);
  const kube = lazyKube(run.kube, io);
  const conn = await openBroker(run.broker, io, kube.load);
  try {
    if (run.opts.namespace === undefined && !run.opts.allNamespaces && !run.opts.clusterScoped) await kube.load(false);
    const scope = scopeOf(run.opts, kube.connection()?.namespace ?? 'default');
    const query = verdictQuery(run.opts, scope, new Date());
    const client = brokerClient(conn);
    const rows = (await listVerdicts(client, query, run.opts.limit)).reverse();
    const layout = layoutOf(run.opts, scope, io, outputWidth);
    if (!run.opts.watch) {
      if (rows.length === 0 && (run.opts.output === 'table' || run.opts.output === 'wide')) io.stderr.write(emptyLine(scope, run.opts.policy));
      else io.stdout.write(render.renderList(rows, run.opts.output, layout));
      return EXIT.ok;
    }
    const print = printer(render, run.opts, layout, io);
    print(rows);
    const afterId = rows.reduce((m, v) => Math.max(m, v.id), 0);
    await followVerdicts(client, query, io, (v) => {
      print([v]);
    }, { afterId, signal });
    return EXIT.ok;
  } finally {
    await conn.close();
  }
}

/** The registration line main.ts lists. */
export const registerVerdicts: RegisterCommand = (y, { io, done }) =>
  y.command(
    'verdicts',
    'Audit verdicts from the broker: what the audit policies would have allowed or denied',
    (b) => verdictsBuilder(b),
    async (argv) => {
      done(await runVerdicts(verdictsRun(argv), io));
    },
  );
