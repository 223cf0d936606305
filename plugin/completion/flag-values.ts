/**
 * The flags that take a value, per command, and what their values are: a fixed set (offered on
 * Tab), a file or folder (left to the shell), or free text (nothing to offer). Completion reads
 * it to answer `--verdict <TAB>` with the verdicts rather than with more flags, and to know that
 * the word after such a flag is its value, not a positional. flag-values.test.ts checks it
 * against every option the commands declare, so a new flag cannot be forgotten here.
 */
import { AUDIT_OUTPUTS } from '../commands/audit-test.js';
import { DESCRIBE_OUTPUTS } from '../commands/describe.js';
import { KINDS as GEN_KINDS, OUTPUTS as GEN_OUTPUTS } from '../commands/gen.js';
import { EXPORT_OUTPUTS } from '../flows/export.js';
import { PROMOTE_OUTPUTS } from '../promote/formats.js';
import { VERDICT_STATES, VERDICTS_OUTPUTS } from '../verdicts/options.js';
import { VERIFY_OUTPUTS } from '../verify/options.js';

export type FlagValue = { kind: 'enum'; values: readonly string[] } | { kind: 'file' } | { kind: 'dir' } | { kind: 'free' };

const FREE: FlagValue = { kind: 'free' };
const FILE: FlagValue = { kind: 'file' };
const oneOf = (values: readonly string[]): FlagValue => ({ kind: 'enum', values });

/** Every spelling of a flag (`-o`, `--output`) maps to the same value. */
type Flags = Readonly<Record<string, FlagValue>>;

function spellings(short: string | undefined, long: string, value: FlagValue): Record<string, FlagValue> {
  return short === undefined ? { [`--${long}`]: value } : { [`-${short}`]: value, [`--${long}`]: value };
}

/** On every command (kube/flags.ts). */
const GLOBAL: Flags = {
  '--kubeconfig': FILE,
  '--context': FREE,
  ...spellings('n', 'namespace', FREE),
  '--broker-namespace': FREE,
  '--broker-service': FREE,
  '--broker-url': FREE,
};

/** broker/options.ts: the broker-reading commands. */
const TOKEN: Flags = { '--token': FREE, '--token-file': FILE };

const PROMOTE: Flags = { ...TOKEN, ...spellings('o', 'output', oneOf(PROMOTE_OUTPUTS)), '--output-dir': { kind: 'dir' }, '--min-quiet': FREE, '--verify': FREE };

/** By command path, as typed: `verdicts`, `audit test`. */
export const COMMAND_FLAGS: Readonly<Record<string, Flags>> = {
  verdicts: {
    ...TOKEN,
    '--policy': FREE,
    '--verdict': oneOf(['WouldDeny', 'Allow']),
    '--direction': oneOf(['Ingress', 'Egress']),
    '--state': oneOf(VERDICT_STATES),
    '--since': FREE,
    '--limit': FREE,
    ...spellings('o', 'output', oneOf(VERDICTS_OUTPUTS)),
  },
  describe: spellings('o', 'output', oneOf(DESCRIBE_OUTPUTS)),
  'audit test': { ...TOKEN, ...spellings('f', 'filename', FILE), '--cluster': FILE, '--flows': FILE, '--since': FREE, ...spellings('o', 'output', oneOf(AUDIT_OUTPUTS)) },
  'audit promote': { ...PROMOTE, ...spellings('l', 'selector', FREE) },
  'audit promote-cluster': { ...PROMOTE, '--target-namespace': FREE },
  'gen networkpolicy': {
    ...TOKEN,
    ...spellings('l', 'selector', FREE),
    '--since': FREE,
    '--kind': oneOf(GEN_KINDS),
    ...spellings('o', 'output', oneOf(GEN_OUTPUTS)),
    '--output-dir': { kind: 'dir' },
    '--cluster': FILE,
    '--flows': FILE,
    '--aggregate-cidr': FREE,
    '--aggregate-cidr6': FREE,
    '--min-flows': FREE,
    '--holdout': FREE,
  },
  'flows export': { ...TOKEN, '--since': FREE, ...spellings('o', 'output', oneOf(EXPORT_OUTPUTS)) },
  ui: { ...TOKEN, '--port': FREE },
  verify: { ...TOKEN, '--since': FREE, ...spellings('o', 'output', oneOf(VERIFY_OUTPUTS)) },
};

/** Other names of a command path. */
const ALIASES: Readonly<Record<string, string>> = { 'gen netpol': 'gen networkpolicy' };

/** The command path a line's positional words start with ('' before any command). */
export function commandOf(words: readonly string[]): string {
  const [first, second] = words;
  const two = ALIASES[`${first} ${second}`] ?? `${first} ${second}`;
  if (second !== undefined && COMMAND_FLAGS[two]) return two;
  return first !== undefined && COMMAND_FLAGS[first] ? first : '';
}

/** What the flag takes on this command, undefined for a flag without a value (or unknown). */
export function flagValue(command: string, flag: string): FlagValue | undefined {
  return COMMAND_FLAGS[command]?.[flag] ?? GLOBAL[flag];
}

/** Any command's value flags: enough to tell a flag's value from a positional before the command is known. */
export function takesValue(flag: string): boolean {
  return GLOBAL[flag] !== undefined || Object.values(COMMAND_FLAGS).some((f) => f[flag] !== undefined);
}
