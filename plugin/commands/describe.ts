/**
 * `kubectl kguardian describe NAME [-n NS]` and `describe kgacnp NAME`: a policy's rules in
 * words, its sync state, counts, offenders, Events, and whether it is safe to promote.
 */
import type { Argv } from 'yargs';
import { kubeFlags } from '../kube/flags.js';
import type { RegisterCommand } from './register.js';
import { parseDescribeTarget } from '../describe/target.js';
import type { Example } from './examples.js';
import type { DescribeOptions, DescribeOutput } from '../describe/options.js';

export type { DescribeOptions, DescribeOutput };

export const DESCRIBE_OUTPUTS: readonly DescribeOutput[] = ['text', 'json', 'yaml'];

export const DESCRIBE_EXAMPLES: readonly Example[] = [
  ['$0 describe payments-isolation -n prod', 'An AuditNetworkPolicy'],
  ['$0 describe kgacnp platform-default-deny', 'An AuditClusterNetworkPolicy'],
  ['$0 describe kganp/payments-isolation -n prod -o json | jq .promotion', 'Is it safe to promote? (for scripts)'],
];

function builder(y: Argv): Argv {
  return y
    .positional('args', { type: 'string', array: true, describe: 'NAME, KIND NAME or KIND/NAME (KIND: kganp, kgacnp)' })
    .option('o', { alias: 'output', type: 'string', choices: DESCRIBE_OUTPUTS, default: 'text', describe: 'text, or a structured form for scripts' });
}

export function describeOptions(argv: Record<string, unknown>): DescribeOptions {
  const args = Array.isArray(argv.args) ? argv.args.map(String) : [];
  return { kube: kubeFlags(argv), target: parseDescribeTarget(args), output: argv.o as DescribeOutput };
}

export const registerDescribe: RegisterCommand = (y, { io, done }) =>
  y.command('describe [args..]', 'Show an audit policy in words: rules, sync state, counts, offenders, Events, promotion verdict', builder, async (argv) => {
    const opts = describeOptions(argv);
    const { runDescribe } = await import('../describe/run.js');
    done(await runDescribe(opts, io));
  });
