/**
 * The flags `audit promote` and `audit promote-cluster` share, their validation (each
 * conflict gets one exact sentence naming the flags), and the typed options. Light on
 * purpose: the heavy work is imported only when a command runs.
 */
import type { Argv } from 'yargs';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import { CliError, EXIT } from '../errors.js';
import { parseDuration } from '../../runtime/duration.js';
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

/** A flag's duration in the one grammar (runtime/duration.ts), more than zero, as --since takes it. */
function durationFlag(argv: Record<string, unknown>, key: 'verify' | 'minQuiet', advice: string): { text: string; ms: number } | undefined {
  const text = argv[key];
  if (text === undefined) return undefined;
  const ms = typeof text === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined || ms <= 0 || typeof text !== 'string') {
    const flag = key === 'verify' ? '--verify' : '--min-quiet';
    throw new CliError(`${flag} ${JSON.stringify(text)}: not a duration; ${advice}`, EXIT.badInput);
  }
  return { text, ms };
}

function verifyFor(argv: Record<string, unknown>): PromoteFlags['verify'] {
  return durationFlag(argv, 'verify', 'write how long to keep checking like 30s, 5m or 1h (once)');
}

function minQuiet(argv: Record<string, unknown>): PromoteFlags['minQuiet'] {
  return durationFlag(argv, 'minQuiet', 'write it like 30m, 24h or 7d (once)');
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
    minQuiet: minQuiet(argv),
    broker: brokerOptions(argv),
    apply: argv.apply === true,
    forceConflicts: argv.forceConflicts === true,
    deleteAudit: argv.deleteAudit === true,
    dryRun: argv.dryRun === true,
    verify: verifyFor(argv),
    // promote-cluster has no --all: its output follows the number of target namespaces.
    asList: argv.all === true,
  };
  const conflict = CONFLICTS.find(([clash]) => clash(flags));
  if (conflict) throw new CliError(conflict[1], EXIT.badInput);
  return flags;
}
