/**
 * Help examples as data: each command exports its list, and main.ts adds it to the command's help
 * when it registers the command, so plugin/help.test.ts can check that every command shows
 * examples and that every flag an example uses is declared on that command.
 *
 * They are laid out as kubectl's are, each a `# what it does` line over the command, in the help's
 * width (help-width.ts). yargs's own layout puts the command in a column half the width wide and
 * breaks it between any two words with nothing to say so, which cannot be copied; here a command
 * too long for the line is broken between shell words (never inside quotes, never between a flag
 * and its value) with a ` \` continuation, so what is copied still runs.
 */
import { wrapWords } from '../output/width.js';

/** A command line (`$0` stands for `kubectl kguardian`) and what it does. */
export type Example = readonly [command: string, description: string];

/** The program name the examples' `$0` stands for. */
export const PROGRAM = 'kubectl kguardian';
const INDENT = '  ';
/** Continuation lines of a broken command, further in than its first line. */
const MORE = '      ';
const CONTINUE = ' \\';

/** Words of a shell command line: quoted strings stay whole. */
export function shellWords(command: string): string[] {
  return command.match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g) ?? [];
}

/** `-n prod` stays one piece: a flag apart from its value reads badly. */
function withValues(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const prev = out.at(-1);
    if (prev !== undefined && /^--?[A-Za-z][\w-]*$/.test(prev) && !w.startsWith('-') && w !== '|' && !w.startsWith('>')) out[out.length - 1] = `${prev} ${w}`;
    else out.push(w);
  }
  return out;
}

/**
 * What a line may not split: a flag with its value, and each later command of a pipeline
 * (`| kubectl apply -f -`) when it fits on a continuation line, so a break falls before its `|`.
 */
function units(command: string, width: number): string[] {
  const out: string[] = [];
  let segment: string[] = [];
  const flush = (): void => {
    const text = segment.join(' ');
    if (out.length > 0 && segment[0] === '|' && MORE.length + text.length + CONTINUE.length <= width) out.push(text);
    else out.push(...segment);
    segment = [];
  };
  for (const piece of withValues(shellWords(command))) {
    if (piece === '|') flush();
    segment.push(piece);
  }
  flush();
  return out;
}

/** `command` in lines of at most `width` when its pieces allow, each but the last ending in ` \`. */
export function commandLines(command: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const piece of units(command, width)) {
    const lead = lines.length === 0 ? INDENT : MORE;
    if (line !== '' && lead.length + line.length + 1 + piece.length + CONTINUE.length > width) {
      lines.push(lead + line + CONTINUE);
      line = piece;
    } else line = line === '' ? piece : `${line} ${piece}`;
  }
  return [...lines, (lines.length === 0 ? INDENT : MORE) + line];
}

/** The Examples section in `width`: `# description` lines (wrapped), then the command, a blank line between examples. */
export function examplesText(examples: readonly Example[], width: number): string {
  const blocks = examples.map(([command, description]) => {
    const comment = wrapWords(description, width - INDENT.length - 2).map((l) => `${INDENT}# ${l}`);
    return [...comment, ...commandLines(command.replaceAll('$0', PROGRAM), width)].join('\n');
  });
  return ['Examples:', blocks.join('\n\n')].join('\n');
}
