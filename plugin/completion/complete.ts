/**
 * The candidates for one command line, for both protocols: the shell scripts' (yargs's
 * --get-yargs-completions: candidates one a line, "name:description" under zsh) and kubectl's
 * plugin completion (cobra's __complete: candidates, then a ":N" directive line).
 *
 * yargs knows the commands and flags; this adds what it does not: after a flag that takes a
 * value, that flag's values (or nothing, or the shell's files), never more flags; kubectl's
 * spelling of one-letter flags (`-n`, not yargs's `--n`); and policy names (names.ts).
 */
import type { CliIO } from '../io.js';
import { commandOf, flagValue, type FlagValue } from './flag-values.js';
import { nameCandidates, parseLine } from './names.js';

/** cobra's directives: 0 lets the shell complete file names, 4 offers nothing else. */
export const DIRECTIVE = { files: 0, noFiles: 4 } as const;

export interface Completion {
  candidates: string[];
  directive: number;
}

/** yargs's answer for the same line (ARGS: the program name, then the words). */
export type YargsCandidates = (args: readonly string[]) => Promise<string>;

/**
 * yargs lists one-letter options as `--n`, kubectl users type `-n`; and a flag that is on by
 * default is typed in its negated form (`--no-headers`). The zsh form keeps its description.
 */
function kubectlSpelling(line: string): string {
  return line.replace(/^--([A-Za-z])(?=$|:)/, '-$1').replace(/^--headers(?=$|:)/, '--no-headers');
}

function valueCompletion(value: FlagValue | undefined, typed: string, prefix: string): Completion {
  if (value?.kind === 'enum') {
    return { candidates: value.values.filter((v) => v.startsWith(typed)).map((v) => prefix + v), directive: DIRECTIVE.noFiles };
  }
  if (value?.kind === 'file' || value?.kind === 'dir') return { candidates: [], directive: DIRECTIVE.files };
  return { candidates: [], directive: DIRECTIVE.noFiles };
}

export async function completeLine(args: readonly string[], env: CliIO['env'], yargs: YargsCandidates): Promise<Completion> {
  const line = parseLine(args.slice(1));
  const command = commandOf(line.words);
  if (line.pendingFlag !== undefined) return valueCompletion(flagValue(command, line.pendingFlag), line.current, '');
  const inline = /^(--?[^=]+)=(.*)$/s.exec(line.current);
  if (inline?.[1] !== undefined) return valueCompletion(flagValue(command, inline[1]), inline[2] ?? '', `${inline[1]}=`);
  const fromYargs = (await yargs(args)).split('\n').filter((l) => l !== '').map(kubectlSpelling);
  const names = await nameCandidates(args.slice(1), env);
  return { candidates: [...new Set([...fromYargs, ...names])], directive: DIRECTIVE.noFiles };
}
