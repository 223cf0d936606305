/**
 * `--help` of every command, root and groups included: each shows an Examples section with its
 * examples, and every example parses: run with --help appended it reaches the command it
 * illustrates, and every flag it uses is declared on that command. The table must list every
 * command the help itself lists.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_TEST_EXAMPLES } from './commands/audit-test.js';
import { DESCRIBE_EXAMPLES } from './commands/describe.js';
import type { Example } from './commands/examples.js';
import { PROMOTE_CLUSTER_EXAMPLES } from './commands/promote-cluster.js';
import { PROMOTE_EXAMPLES } from './commands/promote.js';
import { VERDICTS_EXAMPLES } from './commands/verdicts.js';
import { COMPLETION_EXAMPLES } from './completion/command.js';
import { memoryIO } from './io.js';
import { AUDIT_EXAMPLES, ROOT_EXAMPLES, runCli } from './main.js';

const COMMANDS: readonly { path: readonly string[]; examples: readonly Example[] }[] = [
  { path: [], examples: ROOT_EXAMPLES },
  { path: ['audit'], examples: AUDIT_EXAMPLES },
  { path: ['audit', 'test'], examples: AUDIT_TEST_EXAMPLES },
  { path: ['audit', 'promote'], examples: PROMOTE_EXAMPLES },
  { path: ['audit', 'promote-cluster'], examples: PROMOTE_CLUSTER_EXAMPLES },
  { path: ['verdicts'], examples: VERDICTS_EXAMPLES },
  { path: ['describe'], examples: DESCRIBE_EXAMPLES },
  { path: ['completion'], examples: COMPLETION_EXAMPLES },
];

async function help(args: readonly string[]): Promise<string> {
  const io = memoryIO();
  // A kubeconfig that cannot exist: help must print before anything connects.
  const code = await runCli([...args, '--help', '--kubeconfig', '/nonexistent/kubeconfig'], io);
  expect(io.err()).toBe('');
  expect(code).toBe(0);
  return io.out();
}

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
  it('the table covers every command the help lists', async () => {
    const listed = (text: string): string[] =>
      section(text, 'Commands')
        .map((l) => /^\s+kubectl kguardian (.+?)(?:\s{2,}|$)/.exec(l)?.[1])
        .filter((c): c is string => c !== undefined)
        .map((c) => c.split(' ').filter((w) => !/^[<[]/.test(w)).join(' '));
    const all = [...listed(await help([])), ...listed(await help(['audit']))];
    expect(all).toEqual(expect.arrayContaining(['audit', 'audit test', 'audit promote', 'verdicts']));
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
