/**
 * The `kubectl kguardian` command tree. `runCli(args, io)` parses and runs one invocation and
 * returns its exit code; it never calls process.exit, so tests drive it in-process.
 */
import yargs from 'yargs';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { AUDIT_TEST_EXAMPLES, auditTestBuilder, auditTestOptions, runAuditTest } from './commands/audit-test.js';
import type { Example } from './commands/examples.js';
import { ALL_EXIT_CODES, COMMON_EXIT_CODES } from './commands/exit-codes.js';
import { helpWidth, withHelp, type HelpEnd } from './commands/help.js';
import { DESCRIBE_EXAMPLES, registerDescribe } from './commands/describe.js';
import { FLOWS_EXPORT_EXAMPLES, FLOWS_GROUP_EXAMPLES, registerFlowsExport } from './commands/flows-export.js';
import { GEN_EXAMPLES, GEN_GROUP_EXAMPLES, registerGenNetworkPolicy } from './commands/gen.js';
import { COMPLETION_EXAMPLES, registerCompletion } from './completion/command.js';
import { cobraCompletions } from './completion/scripts.js';
import { PROMOTE_EXAMPLES, registerPromote } from './commands/promote.js';
import { PROMOTE_CLUSTER_EXAMPLES, registerPromoteCluster } from './commands/promote-cluster.js';
import { registerVerdicts, VERDICTS_EXAMPLES } from './commands/verdicts.js';
import { registerVerify, VERIFY_EXAMPLES } from './commands/verify.js';
import { registerUi, UI_EXAMPLES } from './commands/ui.js';
import { CliError, EXIT, InputError } from './errors.js';
import { flagMessage, keepNegativeValues, usageHint } from './flag-errors.js';
import type { CliIO } from './io.js';
import { globalOptions } from './kube/flags.js';
import type { CommandContext, RegisterCommand } from './commands/register.js';

export type { CommandContext, RegisterCommand };

const registerAuditTest: RegisterCommand = (y, { io, done }) =>
  y.command(
    'test',
    'What would these policies deny? Replays recorded flows against candidate policies (files, or the live cluster and broker)',
    (b) => auditTestBuilder(b),
    async (argv) => {
      done(await runAuditTest(auditTestOptions(argv), io));
    },
  );

/**
 * Registers a command whose --help ends with its examples and exit codes in the help's width:
 * the builder it passes to y.command() is wrapped to add them, so command modules need not know
 * about the layout.
 */
function withHelpOf(register: RegisterCommand, end: HelpEnd): RegisterCommand {
  return (y, ctx) => {
    const command = (cmd: string, description: string, builder: (b: Argv) => Argv, handler: (argv: ArgumentsCamelCase) => void | Promise<void>): Argv =>
      y.command(cmd, description, (b: Argv) => withHelp(builder(b), end, helpWidth(ctx.io)), handler);
    // yargs keeps its state in private fields: every other method is called on the real instance.
    const proxy = new Proxy(y, {
      get: (target, prop) => {
        if (prop === 'command') return command;
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return register(proxy, ctx);
  };
}

/** `kubectl kguardian audit ...`: one line per subcommand (a plain list, so anyone can add one). */
const AUDIT_COMMANDS: readonly RegisterCommand[] = [
  withHelpOf(registerAuditTest, { examples: AUDIT_TEST_EXAMPLES, exitCodes: [...COMMON_EXIT_CODES, EXIT.denied] }),
  withHelpOf(registerPromote, { examples: PROMOTE_EXAMPLES, exitCodes: [...COMMON_EXIT_CODES, EXIT.unsafe] }),
  withHelpOf(registerPromoteCluster, { examples: PROMOTE_CLUSTER_EXAMPLES, exitCodes: [...COMMON_EXIT_CODES, EXIT.unsafe] }),
];

/** `kubectl kguardian gen ...`: what can be generated. */
const GEN_COMMANDS: readonly RegisterCommand[] = [withHelpOf(registerGenNetworkPolicy, { examples: GEN_EXAMPLES, exitCodes: [...COMMON_EXIT_CODES, EXIT.unsafe] })];

/** `kubectl kguardian flows ...`: the recorded flows themselves. */
const FLOWS_COMMANDS: readonly RegisterCommand[] = [withHelpOf(registerFlowsExport, { examples: FLOWS_EXPORT_EXAMPLES, exitCodes: COMMON_EXIT_CODES })];

export const AUDIT_EXAMPLES: readonly Example[] = [
  ['$0 audit test -f payments.yaml --since 7d', 'Would payments.yaml deny any of the last week\'s recorded traffic?'],
  ['$0 audit promote payments-isolation -n prod | kubectl apply -f -', 'Enforce an AuditNetworkPolicy that is safe to promote'],
  ['$0 audit promote-cluster platform-default-deny --target-namespace prod', 'Enforce an AuditClusterNetworkPolicy in one namespace'],
];

export const ROOT_EXAMPLES: readonly Example[] = [
  ['$0 audit test -f payments.yaml', "Would payments.yaml deny any of the last 24 hours' real traffic?"],
  ['$0 verdicts -n prod --verdict WouldDeny --since 1h', 'What the audit policies of prod would have denied in the last hour'],
  ['$0 describe payments-isolation -n prod', 'A policy in words, its counts, and whether it is safe to promote'],
  ['$0 audit promote payments-isolation -n prod | kubectl apply -f -', 'Enforce it'],
  ['$0 audit test --help', 'Every command has its own flags and examples'],
];

/** `kubectl kguardian ...`: one line per top-level command. */
const TOP_COMMANDS: readonly RegisterCommand[] = [
  (y, ctx) =>
    y.command('audit', 'Test and promote audit policies', (a) =>
      withHelp(register(a, AUDIT_COMMANDS, ctx), { examples: AUDIT_EXAMPLES, exitCodes: ALL_EXIT_CODES }, helpWidth(ctx.io)).demandCommand(1, 'name an audit subcommand'),
    ),
  (y, ctx) =>
    y.command('gen', 'Generate policies from observed traffic', (g) =>
      withHelp(register(g, GEN_COMMANDS, ctx), { examples: GEN_GROUP_EXAMPLES, exitCodes: [...COMMON_EXIT_CODES, EXIT.unsafe] }, helpWidth(ctx.io)).demandCommand(1, 'name what to generate: networkpolicy'),
    ),
  (y, ctx) =>
    y.command('flows', 'Recorded flows: export them for offline tests', (f) =>
      withHelp(register(f, FLOWS_COMMANDS, ctx), { examples: FLOWS_GROUP_EXAMPLES, exitCodes: COMMON_EXIT_CODES }, helpWidth(ctx.io)).demandCommand(1, 'name a flows subcommand: export'),
    ),
  withHelpOf(registerDescribe, { examples: DESCRIBE_EXAMPLES, exitCodes: COMMON_EXIT_CODES }),
  withHelpOf(registerCompletion, { examples: COMPLETION_EXAMPLES, exitCodes: COMMON_EXIT_CODES }),
  withHelpOf(registerVerdicts, { examples: VERDICTS_EXAMPLES, exitCodes: COMMON_EXIT_CODES }),
  withHelpOf(registerVerify, { examples: VERIFY_EXAMPLES, exitCodes: COMMON_EXIT_CODES }),
  withHelpOf(registerUi, { examples: UI_EXAMPLES, exitCodes: COMMON_EXIT_CODES }),
];

function register(y: Argv, commands: readonly RegisterCommand[], ctx: CommandContext): Argv {
  return commands.reduce((acc, add) => add(acc, ctx), y);
}

/** yargs reads a lone "-" as a positional; kubectl users write `-f -` for stdin. */
function stdinFlags(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if ((a === '-f' || a === '--filename') && args[i + 1] === '-') {
      out.push('--filename=-');
      i++;
    } else out.push(a);
  }
  return out;
}

/** yargs's completion candidates for a line (ARGS: the program name, then the words, the last being typed). */
async function yargsCandidates(args: readonly string[], io: CliIO): Promise<string> {
  let out = '';
  await parseAndRun(['--get-yargs-completions', ...args], { ...io, stdout: { write: (s: string) => (out += s) } });
  return out;
}

/** The shell scripts' completion (yargs's protocol), or kubectl's (kubectl_complete-kguardian: cobra's). */
async function complete(args: readonly string[], io: CliIO, protocol: 'yargs' | 'cobra'): Promise<number> {
  const { completeLine } = await import('./completion/complete.js');
  const { candidates, directive } = await completeLine(args, io.env, (a) => yargsCandidates(a, io));
  const text = candidates.join('\n');
  io.stdout.write(protocol === 'cobra' ? cobraCompletions(text, args.at(-1) ?? '', directive) : text + '\n');
  return EXIT.ok;
}

/** `--version` (or `version`) alone: the bundle stamps its version; from a checkout it is "dev". */
function isVersionRequest(args: readonly string[]): boolean {
  return args.length === 1 && (args[0] === '--version' || args[0] === 'version');
}

export async function runCli(rawArgs: readonly string[], io: CliIO): Promise<number> {
  if (isVersionRequest(rawArgs)) {
    const { VERSION } = await import('./bin/version.js');
    io.stdout.write(`kubectl-kguardian ${VERSION}\n`);
    return EXIT.ok;
  }
  if (rawArgs[0] === '__complete') return complete(['kubectl-kguardian', ...rawArgs.slice(1)], io, 'cobra');
  if (rawArgs[0] === '--get-yargs-completions') return complete(rawArgs.slice(1), io, 'yargs');
  return parseAndRun(rawArgs, io);
}

async function parseAndRun(rawArgs: readonly string[], io: CliIO): Promise<number> {
  const args = keepNegativeValues(stdinFlags(rawArgs));
  let code: number = EXIT.ok;
  const done = (c: number): void => {
    code = c;
  };
  const root = globalOptions(yargs([...args]))
    .scriptName('kubectl kguardian')
    .usage('Audit Kubernetes NetworkPolicies against real traffic before you enforce them.\n\nUsage: $0 <command> [options]');
  const width = helpWidth(io);
  const parser = withHelp(register(root, TOP_COMMANDS, { io, done }), { examples: ROOT_EXAMPLES, exitCodes: ALL_EXIT_CODES }, width)
    .demandCommand(1, 'name a command')
    .strict()
    .recommendCommands()
    .help()
    .completion('__yargs_completion', false)
    .alias('h', 'help')
    .version(false)
    .wrap(width)
    .exitProcess(false)
    .fail((msg, err) => {
      // While a command is parsed, the instance answers with that command's options.
      const aliases = (parser as unknown as { getOptions(): { alias?: Record<string, string[]> } }).getOptions().alias ?? {};
      throw err ?? new CliError(flagMessage(msg, args, aliases), EXIT.badInput);
    });
  try {
    let output = '';
    await parser.parseAsync([...args], {}, (_err, _argv, out) => {
      output = out;
    });
    if (output) io.stdout.write(output.endsWith('\n') ? output : output + '\n');
    return code;
  } catch (e) {
    // Bad flags (exit 2, not a file's content) end with the help to read, as kubectl's do.
    if (e instanceof CliError) {
      io.stderr.write(`error: ${e.message}\n${e.exitCode === EXIT.badInput && !(e instanceof InputError) ? usageHint(args) : ''}`);
      return e.exitCode;
    }
    if (e instanceof Error && e.name === 'YError') {
      io.stderr.write(`error: ${e.message}\n${usageHint(args)}`);
      return EXIT.badInput;
    }
    throw e;
  }
}
