/**
 * `--help` of every command, root and groups included: each shows an Examples section with its
 * examples, and every example parses: run with --help appended it reaches the command it
 * illustrates, and every flag it uses is declared on that command. The table must list every
 * command the help itself lists. Every help ends with the exit codes that command can return.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_TEST_EXAMPLES } from './commands/audit-test.js';
import { DESCRIBE_EXAMPLES } from './commands/describe.js';
import { GEN_EXAMPLES, GEN_GROUP_EXAMPLES } from './commands/gen.js';
import { FLOWS_EXPORT_EXAMPLES, FLOWS_GROUP_EXAMPLES } from './commands/flows-export.js';
import type { Example } from './commands/examples.js';
import { PROMOTE_CLUSTER_EXAMPLES } from './commands/promote-cluster.js';
import { PROMOTE_EXAMPLES } from './commands/promote.js';
import { VERDICTS_EXAMPLES } from './commands/verdicts.js';
import { VERIFY_EXAMPLES } from './commands/verify.js';
import { UI_EXAMPLES } from './commands/ui.js';
import { EXIT_CODE_TEXT } from './commands/exit-codes.js';
import { COMPLETION_EXAMPLES } from './completion/command.js';
import { EXIT } from './errors.js';
import { memoryIO } from './io.js';
import { AUDIT_EXAMPLES, ROOT_EXAMPLES, runCli } from './main.js';

/** Each command, its examples, and the exit codes it can return (docs/cli.md's table). */
const COMMANDS: readonly { path: readonly string[]; examples: readonly Example[]; exitCodes: readonly number[] }[] = [
  { path: [], examples: ROOT_EXAMPLES, exitCodes: [0, 1, 2, 3, 4] },
  { path: ['audit'], examples: AUDIT_EXAMPLES, exitCodes: [0, 1, 2, 3, 4] },
  { path: ['audit', 'test'], examples: AUDIT_TEST_EXAMPLES, exitCodes: [0, 1, 2, 3] },
  { path: ['audit', 'promote'], examples: PROMOTE_EXAMPLES, exitCodes: [0, 1, 2, 4] },
  { path: ['audit', 'promote-cluster'], examples: PROMOTE_CLUSTER_EXAMPLES, exitCodes: [0, 1, 2, 4] },
  { path: ['verdicts'], examples: VERDICTS_EXAMPLES, exitCodes: [0, 1, 2] },
  { path: ['verify'], examples: VERIFY_EXAMPLES, exitCodes: [0, 1, 2] },
  { path: ['describe'], examples: DESCRIBE_EXAMPLES, exitCodes: [0, 1, 2] },
  { path: ['completion'], examples: COMPLETION_EXAMPLES, exitCodes: [0, 1, 2] },
  { path: ['gen'], examples: GEN_GROUP_EXAMPLES, exitCodes: [0, 1, 2, 4] },
  { path: ['gen', 'networkpolicy'], examples: GEN_EXAMPLES, exitCodes: [0, 1, 2, 4] },
  { path: ['flows'], examples: FLOWS_GROUP_EXAMPLES, exitCodes: [0, 1, 2] },
  { path: ['flows', 'export'], examples: FLOWS_EXPORT_EXAMPLES, exitCodes: [0, 1, 2] },
  { path: ['ui'], examples: UI_EXAMPLES, exitCodes: [0, 1, 2] },
];

async function help(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<string> {
  const io = { ...memoryIO(), env };
  // A kubeconfig that cannot exist: help must print before anything connects.
  const code = await runCli([...args, '--help', '--kubeconfig', '/nonexistent/kubeconfig'], io);
  expect(io.err()).toBe('');
  expect(code).toBe(0);
  return io.out();
}

/** The words of a text, one space apart, so text wrapped over lines reads as it was written. */
const words = (text: string): string => text.replace(/\s+/g, ' ');

/** The lines of one `Title:` section of a help text. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l.trim() !== '');
}

/** Flags declared in a help text: the name column of every option line, outside Examples. */
function declaredFlags(text: string): Set<string> {
  const flags = new Set<string>();
  const body = text.split('\nExamples:')[0] ?? '';
  for (const line of body.split('\n')) {
    if (!/^\s+-/.test(line)) continue;
    const names = line.trim().split(/\s{2,}/)[0] ?? '';
    for (const n of names.split(/,\s*/)) if (/^--?[A-Za-z]/.test(n)) flags.add(n);
  }
  return flags;
}

/** The kguardian argv of an example: after `$0`, up to a pipe or redirection. */
function argvOf(command: string): string[] {
  const words = command.replace(/^source <\((.*)\)$/, '$1').split(/\s+/);
  const start = words.indexOf('$0');
  expect(start, `${command} starts with $0`).toBeGreaterThanOrEqual(0);
  const rest = words.slice(start + 1);
  const stop = rest.findIndex((w) => w === '|' || w.startsWith('>'));
  return stop < 0 ? rest : rest.slice(0, stop);
}

/** The command an argv runs: the longest leading run of words that names one in COMMANDS. */
function commandOf(argv: readonly string[]): readonly string[] {
  let best: readonly string[] = [];
  for (const { path } of COMMANDS) if (path.length > best.length && path.every((p, i) => argv[i] === p)) best = path;
  return best;
}

describe('--help of every command', () => {
  it.each(COMMANDS.map((c) => ({ ...c, name: ['kubectl kguardian', ...c.path].join(' ') })))('$name --help ends with its exit codes $exitCodes', async ({ path, exitCodes }) => {
    const text = await help(path);
    const lines = section(text, 'Exit codes');
    const listed = lines.filter((l) => /^ {2}\d {2}/.test(l)).map((l) => Number(l.trim().split(' ')[0]));
    expect(listed).toEqual(exitCodes);
    // The text is the code's own (errors.ts), the code is what the command returns for it; it may wrap over lines.
    for (const code of exitCodes) expect(words(lines.join('\n'))).toContain(` ${code} ${EXIT_CODE_TEXT[code as keyof typeof EXIT_CODE_TEXT] ?? '?'}`);
    expect(text.trimEnd().split('\n').slice(-lines.length - 1)[0]).toBe('Exit codes:');
  });

  it('the exit codes in the help are exactly those of errors.ts, with 3 for --fail-on-deny and 4 for a refusal', () => {
    expect(Object.values(EXIT).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(EXIT.denied).toBe(3);
    expect(EXIT.unsafe).toBe(4);
    expect(EXIT_CODE_TEXT[EXIT.denied]).toContain('--fail-on-deny');
    expect(EXIT_CODE_TEXT[EXIT.unsafe]).toContain('safety gate');
  });

  it('the table covers every command the help lists', async () => {
    const listed = (text: string): string[] =>
      section(text, 'Commands')
        .map((l) => /^\s+kubectl kguardian (.+?)(?:\s{2,}|$)/.exec(l)?.[1])
        .filter((c): c is string => c !== undefined)
        .map((c) => c.split(' ').filter((w) => !/^[<[]/.test(w)).join(' '));
    const all = [...listed(await help([])), ...listed(await help(['audit'])), ...listed(await help(['gen'])), ...listed(await help(['flows']))];
    expect(all).toEqual(expect.arrayContaining(['audit', 'audit test', 'audit promote', 'verdicts', 'gen', 'gen networkpolicy', 'flows', 'flows export']));
    const inTable = COMMANDS.map((c) => c.path.join(' '));
    for (const c of all) expect(inTable, `${c} has a row`).toContain(c);
  });

  it.each(COMMANDS.map((c) => ({ ...c, name: ['kubectl kguardian', ...c.path].join(' ') })))('$name --help shows its examples, and each parses', async ({ path, examples }) => {
    const text = await help(path);
    expect(examples.length).toBeGreaterThan(0);
    const shown = section(text, 'Examples').filter((l) => /^ {2}(source <\()?kubectl kguardian /.test(l));
    expect(shown).toHaveLength(examples.length);
    for (const [i, [command]] of examples.entries()) {
      const argv = argvOf(command);
      expect(shown[i]?.trim()).toContain(command.replace('$0', 'kubectl kguardian').split(' ').slice(0, 3).join(' '));
      const target = commandOf(argv);
      expect(target.slice(0, path.length), `${command} illustrates ${path.join(' ')}`).toEqual(path);
      // Routed to its command: with --help appended it prints that command's help.
      const own = await help(target);
      expect(await help(argv)).toBe(own);
      const declared = declaredFlags(own);
      for (const word of argv.filter((w) => /^--?[A-Za-z]/.test(w))) {
        const flag = word.split('=')[0] ?? word;
        const known = declared.has(flag) || (flag.startsWith('--no-') && declared.has(`--${flag.slice(5)}`));
        expect(known, `${command}: ${flag} is declared on ${['kguardian', ...target].join(' ')}`).toBe(true);
      }
    }
  });
});

const NAMES = COMMANDS.map((c) => ({ ...c, name: ['kubectl kguardian', ...c.path].join(' ') }));

/** The examples' commands as a shell reads them: a line ending in ` \` goes on with the next. */
function copiedCommands(text: string): string[] {
  return section(text, 'Examples')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/ \\\n\s+/g, ' ')
    .split('\n')
    .map((l) => l.trim());
}

describe('--help in the terminal\'s width', () => {
  // $COLUMNS stands for the terminal; without it (a pipe) the help is 80 wide; wider terminals get 120 at most.
  it.each([
    { env: { COLUMNS: '60' }, width: 60 },
    { env: { COLUMNS: '80' }, width: 80 },
    { env: { COLUMNS: '100' }, width: 100 },
    { env: {}, width: 80 },
    { env: { COLUMNS: '250' }, width: 120 },
  ])('at COLUMNS=$env.COLUMNS every help fits in $width columns and its examples copy whole', async ({ env, width }) => {
    for (const { path, examples, name } of NAMES) {
      const text = await help(path, env);
      const long = text.split('\n').filter((l) => l.length > width);
      expect(long, `${name} --help`).toEqual([]);
      expect(copiedCommands(text), `${name} --help`).toEqual(examples.map(([command]) => command.replaceAll('$0', 'kubectl kguardian')));
    }
  });

  it('a wide terminal gets wide help: the flag table uses the width', async () => {
    const narrow = await help(['verdicts'], { COLUMNS: '80' });
    const wide = await help(['verdicts'], { COLUMNS: '120' });
    expect(Math.max(...wide.split('\n').map((l) => l.length))).toBeGreaterThan(100);
    expect(wide.split('\n').length).toBeLessThan(narrow.split('\n').length);
  });
});
