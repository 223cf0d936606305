/**
 * `kubectl kguardian verify [NAME | --all] [-n NS | -A]`: after promotion, are the enforced
 * NetworkPolicies doing what they say? The broker keeps what the enforced policies predict for
 * every judged flow beside what the kernel saw of it; this prints it per flow and policy: a denied
 * flow that was established means the CNI is not enforcing, an allowed one that keeps failing
 * means something else drops it.
 */
import type { Argv } from 'yargs';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import type { BrokerOptions } from '../broker/types.js';
import type { EnforcementReport } from '../../contracts/enforcement.js';
import { EXIT } from '../errors.js';
import type { CliIO } from '../io.js';
import type { KubeFlags } from '../kube/connect.js';
import { kubeFlags } from '../kube/flags.js';
import type { RegisterCommand } from './register.js';
import { verifyOptions, verifyQuery, VERIFY_OUTPUTS, type VerifyOptions } from '../verify/options.js';
import type { Example } from './examples.js';

export interface VerifyRun {
  opts: VerifyOptions;
  broker: BrokerOptions;
  kube: KubeFlags;
}

export const VERIFY_EXAMPLES: readonly Example[] = [
  ['$0 verify payments-isolation -n prod', 'Is the promoted NetworkPolicy enforced as predicted? (last hour)'],
  ['$0 verify --all -n prod --since 24h', 'Every NetworkPolicy of prod over a day'],
  ['$0 verify -A --mismatches', 'Only what disagrees, cluster-wide'],
  ['$0 verify -A -o json | jq \'.rows[] | select(.outcome == "NotEnforced")\'', 'Denied flows that got through, for a script'],
];

export function verifyBuilder(y: Argv): Argv {
  return tokenFlags(y)
    .positional('name', { type: 'string', describe: 'The NetworkPolicy (in -n NAMESPACE, default: the context\'s)' })
    .option('all', { type: 'boolean', default: false, describe: 'Every NetworkPolicy of the namespace' })
    .option('A', { alias: 'all-namespaces', type: 'boolean', default: false, describe: 'Every NetworkPolicy of every namespace' })
    .option('since', { type: 'string', default: '1h', describe: 'Flows observed within this long, such as 15m, 1h, 7d' })
    .option('mismatches', { type: 'boolean', default: false, describe: 'Only flows where prediction and observation disagree' })
    .option('o', { alias: 'output', type: 'string', default: 'table', describe: `Output format: ${VERIFY_OUTPUTS.join(', ')}` })
    .option('headers', { type: 'boolean', default: true, describe: 'Print the table header line; --no-headers leaves it out' });
}

export function verifyRun(argv: Record<string, unknown>): VerifyRun {
  return { opts: verifyOptions(argv), broker: brokerOptions(argv), kube: kubeFlags(argv) };
}

export async function runVerify(run: VerifyRun, io: CliIO, now = new Date()): Promise<number> {
  const [{ brokerClient }, { openBroker }, { lazyKube }, { renderVerify }, { noteLine }, { errorWidth, outputWidth }] = await Promise.all([
    import('../broker/client.js'),
    import('../broker/connect.js'),
    import('../broker/kube-loader.js'),
    import('../verify/render.js'),
    import('../output/note.js'),
    import('../output/width.js'),
  ]);
  const kube = lazyKube(run.kube, io);
  const conn = await openBroker(run.broker, io, kube.load);
  try {
    if (run.opts.namespace === undefined && !run.opts.allNamespaces) await kube.load(false);
    const query = verifyQuery(run.opts, kube.connection()?.namespace ?? 'default', now);
    const report = await brokerClient(conn).getJson<EnforcementReport>('/v1/enforcement', query);
    const where = run.opts.allNamespaces ? '' : ` in namespace ${String(query.namespace)}`;
    if (report.rows.length === 0 && run.opts.output === 'table') {
      const what = run.opts.name === undefined ? 'NetworkPolicy' : `NetworkPolicy "${run.opts.name}"`;
      io.stderr.write(noteLine(`No flows judged against an enforced ${what}${where} within ${run.opts.since}${run.opts.mismatchesOnly ? ' disagree' : ''}.`, errorWidth(io)));
      return EXIT.ok;
    }
    const { out, note } = renderVerify(report, run.opts.output, {
      now: io.now?.() ?? now, oneNamespace: !run.opts.allNamespaces, noHeaders: run.opts.noHeaders, width: outputWidth(io), noteWidth: errorWidth(io),
    });
    io.stdout.write(out);
    if (note) io.stderr.write(note);
    return EXIT.ok;
  } finally {
    await conn.close();
  }
}

export const registerVerify: RegisterCommand = (y, { io, done }) =>
  y.command(
    'verify [name]',
    'Check enforced NetworkPolicies against what the kernel saw: denied flows that connected, allowed flows that keep failing',
    (b) => verifyBuilder(b),
    async (argv) => {
      done(await runVerify(verifyRun(argv), io));
    },
  );
