/**
 * The flags `audit promote` and `audit promote-cluster` share, their validation (each
 * conflict gets one exact sentence naming the flags), and the typed options. Light on
 * purpose: the heavy work is imported only when a command runs.
 */
import type { Argv } from 'yargs';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import { CliError, EXIT } from '../errors.js';
import { durationFlag } from '../duration-flag.js';
import type { PromoteFlags } from '../promote/finish.js';
import { PROMOTE_OUTPUTS, type PromoteOutput } from '../promote/formats.js';

export function promoteFlagsBuilder<T>(y: Argv<T>): Argv<T> {
  // --token/--token-file: --min-quiet reads the broker's verdict history.
  return tokenFlags(y)
    .option('o', { alias: 'output', type: 'string', choices: PROMOTE_OUTPUTS, default: 'yaml', describe: 'Output format of the NetworkPolicies; name prints networkpolicy.networking.k8s.io/NAME per policy (with --apply: per applied policy)' })
    .option('output-dir', { type: 'string', describe: 'Write one file per NetworkPolicy (NAMESPACE.NAME.yaml) into this folder instead of printing' })
    .option('force', { type: 'boolean', default: false, describe: 'Promote even when the safety gate refuses (not evaluated yet, counts for an older spec, would-deny flows, --min-quiet not met)' })
    .option('allow-untested', { type: 'boolean', default: false, describe: 'Promote even when the evaluation window counted 0 flows (nothing was tested); --force does not cover this' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'With --apply: replace a same-named NetworkPolicy that was written by someone else or promoted from another source' })
    .option('min-quiet', { type: 'string', describe: "Also demand no would-deny flows for this long (e.g. 24h), from the broker's verdict history (reached like verdicts does)" })
    .option('apply', { type: 'boolean', default: false, describe: 'Apply the NetworkPolicies server-side (field manager kguardian) instead of printing them' })
    .option('force-conflicts', { type: 'boolean', default: false, describe: 'With --apply: take over fields of an existing NetworkPolicy that another manager set differently' })
    .option('delete-audit', { type: 'boolean', default: false, describe: 'With --apply: delete the audit object once every NetworkPolicy is applied' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'With --apply: let the API server validate everything without storing (server dry run)' })
    .option('verify', { type: 'string', describe: 'With --apply: then check the applied NetworkPolicies against what the kernel sees for this long (e.g. 5m), as kubectl kguardian verify does' })
    .group(['o', 'output-dir', 'force', 'allow-untested', 'min-quiet', 'apply', 'overwrite', 'force-conflicts', 'delete-audit', 'dry-run', 'verify'], 'Promote options:');
}

/** A duration flag as the promote options keep it: the text as typed (it is echoed in messages) and its length. */
function durationOf(argv: Record<string, unknown>, key: 'verify' | 'minQuiet', flag: string): { text: string; ms: number } | undefined {
  const value = argv[key];
  if (value === undefined) return undefined;
  const ms = durationFlag(flag, value);
  const last: unknown = Array.isArray(value) ? value.at(-1) : value;
  return { text: String(last).trim(), ms };
}

/** Flags that contradict each other, each with its sentence; the first that applies is the error. */
const CONFLICTS: readonly (readonly [(f: PromoteFlags) => boolean, string])[] = [
  [(f) => f.deleteAudit && !f.apply, '--delete-audit needs --apply: the audit object is deleted only after its NetworkPolicy is applied'],
  [(f) => f.forceConflicts && !f.apply, '--force-conflicts needs --apply'],
  [(f) => f.overwrite && !f.apply, '--overwrite needs --apply: only --apply replaces an existing NetworkPolicy'],
  [(f) => f.verify !== undefined && !f.apply, '--verify needs --apply: there is nothing enforced to verify otherwise'],
  [(f) => f.verify !== undefined && f.dryRun, '--verify and --dry-run cannot be used together: a dry run enforces nothing'],
  [(f) => f.dryRun && !f.apply, '--dry-run needs --apply (without --apply nothing is sent to the cluster)'],
  [(f) => f.outputDir === '', '--output-dir needs a folder'],
  [(f) => f.output === 'name' && f.outputDir !== undefined, '-o name prints names only; --output-dir writes whole policies: use -o yaml or -o json with it'],
];

export function promoteFlags(argv: Record<string, unknown>): PromoteFlags {
  const flags: PromoteFlags = {
    output: argv.o as PromoteOutput,
    outputDir: typeof argv.outputDir === 'string' ? argv.outputDir : undefined,
    force: argv.force === true,
    allowUntested: argv.allowUntested === true,
    overwrite: argv.overwrite === true,
    minQuiet: durationOf(argv, 'minQuiet', '--min-quiet'),
    broker: brokerOptions(argv),
    apply: argv.apply === true,
    forceConflicts: argv.forceConflicts === true,
    deleteAudit: argv.deleteAudit === true,
    dryRun: argv.dryRun === true,
    verify: durationOf(argv, 'verify', '--verify'),
    // promote-cluster has no --all: its output follows the number of target namespaces.
    asList: argv.all === true,
  };
  const conflict = CONFLICTS.find(([clash]) => clash(flags));
  if (conflict) throw new CliError(conflict[1], EXIT.badInput);
  return flags;
}
