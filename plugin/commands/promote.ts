/**
 * `kubectl kguardian audit promote NAME -n NS | --all [-A]`: the NetworkPolicy an
 * AuditNetworkPolicy stands for, printed, written or applied, behind the safety gate.
 */
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../errors.js';
import { kubeFlags } from '../kube/flags.js';
import type { RegisterCommand } from './register.js';
import { promoteFlags, promoteFlagsBuilder } from './promote-flags.js';
import type { Example } from './examples.js';
import type { PromoteOptions } from '../promote/options.js';

export type { PromoteOptions };

export const PROMOTE_EXAMPLES: readonly Example[] = [
  ['$0 audit promote payments-isolation -n prod', 'Print the equivalent NetworkPolicy as YAML'],
  ['$0 audit promote payments-isolation -n prod | kubectl apply -f -', 'Enforce it with kubectl'],
  ['$0 audit promote --all -A --output-dir ./promoted/', 'One file per policy, across the cluster'],
  ['$0 audit promote --all -n prod -l team=payments -o name', 'Which NetworkPolicies would be produced (networkpolicy.networking.k8s.io/NAME)'],
  ['$0 audit promote payments-isolation -n prod --min-quiet 24h --apply --delete-audit', 'Enforce it if it has been quiet for a day, then drop the audit copy'],
  ['$0 audit promote payments-isolation -n prod --apply --verify 10m', 'Enforce it, then watch for 10 minutes that the CNI enforces it as predicted'],
];

function builder(y: Argv): Argv {
  return promoteFlagsBuilder(
    y
      .positional('name', { type: 'string', describe: 'The AuditNetworkPolicy to promote' })
      .option('all', { type: 'boolean', default: false, describe: 'Promote every AuditNetworkPolicy in the namespace (with -A: in every namespace)' })
      .option('A', { alias: 'all-namespaces', type: 'boolean', default: false, describe: 'With --all: every namespace' })
      .option('l', { alias: 'selector', type: 'string', describe: 'With --all: only policies with these labels (e.g. team=payments)' }),
  );
}

export function promoteOptions(argv: Record<string, unknown>): PromoteOptions {
  const opts: PromoteOptions = {
    kube: kubeFlags(argv),
    name: typeof argv.name === 'string' ? argv.name : undefined,
    all: argv.all === true,
    allNamespaces: argv.A === true,
    selector: typeof argv.l === 'string' && argv.l !== '' ? argv.l : undefined,
    flags: promoteFlags(argv),
  };
  if (opts.selector !== undefined && !opts.all) throw new CliError('-l/--selector goes with --all', EXIT.badInput);
  if (opts.name !== undefined && opts.all) throw new CliError(`give a policy NAME or --all, not both (got ${opts.name} and --all)`, EXIT.badInput);
  if (opts.name === undefined && !opts.all) throw new CliError('name an AuditNetworkPolicy (audit promote NAME -n NAMESPACE) or pass --all', EXIT.badInput);
  if (opts.allNamespaces && !opts.all) throw new CliError('-A/--all-namespaces goes with --all; to promote one policy, name its namespace with -n', EXIT.badInput);
  if (opts.allNamespaces && opts.kube.namespace) throw new CliError('-n and -A together: choose one namespace (-n) or all of them (-A)', EXIT.badInput);
  return opts;
}

export const registerPromote: RegisterCommand = (y, { io, done }) =>
  y.command(
    'promote [name]',
    'Turn an AuditNetworkPolicy into the NetworkPolicy it stands for, if the evaluation says it is safe',
    builder,
    async (argv) => {
      const opts = promoteOptions(argv);
      const { runPromote } = await import('../promote/run-promote.js');
      done(await runPromote(opts, io));
    },
  );
