/**
 * `kubectl kguardian audit promote-cluster NAME [--target-namespace NS ...]`: one
 * NetworkPolicy per namespace an AuditClusterNetworkPolicy selects (or per explicit target),
 * behind the same safety gate as `audit promote`.
 */
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../errors.js';
import { checkNamespaces, kubeFlags } from '../kube/flags.js';
import type { RegisterCommand } from './register.js';
import { promoteFlags, promoteFlagsBuilder } from './promote-flags.js';
import type { Example } from './examples.js';
import type { PromoteClusterOptions } from '../promote/options.js';

export type { PromoteClusterOptions };

export const PROMOTE_CLUSTER_EXAMPLES: readonly Example[] = [
  ['$0 audit promote-cluster platform-default-deny', 'One NetworkPolicy per namespace the selector matches now'],
  ['$0 audit promote-cluster platform-default-deny --target-namespace prod --target-namespace staging', 'Only these namespaces'],
  ['$0 audit promote-cluster platform-default-deny --output-dir ./promoted/', 'One file per namespace'],
  ['$0 audit promote-cluster platform-default-deny --apply -o name', 'Enforce everywhere, printing one networkpolicy.networking.k8s.io/NAME per namespace'],
  ['$0 audit promote-cluster platform-default-deny --apply --delete-audit', 'Enforce everywhere, then drop the audit policy'],
];

function builder(y: Argv): Argv {
  return promoteFlagsBuilder(
    y
      .positional('name', { type: 'string', describe: 'The AuditClusterNetworkPolicy to promote' })
      .option('target-namespace', {
        type: 'string',
        array: true,
        coerce: checkNamespaces('--target-namespace'),
        describe: 'Promote into this namespace instead of those spec.namespaceSelector matches; repeatable',
      }),
  );
}

export function promoteClusterOptions(argv: Record<string, unknown>): PromoteClusterOptions {
  const targets = Array.isArray(argv.targetNamespace) ? argv.targetNamespace.filter((t): t is string => typeof t === 'string' && t !== '') : [];
  if (typeof argv.name !== 'string' || argv.name === '') throw new CliError('name an AuditClusterNetworkPolicy: audit promote-cluster NAME', EXIT.badInput);
  return { kube: kubeFlags(argv), name: argv.name, targets, flags: promoteFlags(argv) };
}

export const registerPromoteCluster: RegisterCommand = (y, { io, done }) =>
  y.command(
    'promote-cluster [name]',
    'Turn an AuditClusterNetworkPolicy into one NetworkPolicy per selected namespace, if it is safe',
    builder,
    async (argv) => {
      const opts = promoteClusterOptions(argv);
      const { runPromoteCluster } = await import('../promote/run-promote-cluster.js');
      done(await runPromoteCluster(opts, io));
    },
  );
