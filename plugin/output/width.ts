/**
 * How wide text output may be: $COLUMNS when set (as shells export it), else the terminal's
 * width when standard output is one. A pipe or a file has no width: nothing is fitted or cut
 * there (as kubectl, whose tables never cut), so `| grep` and `| less -S` see every value whole.
 * Tables and `describe` fit in a known width; the full text is always in `-o wide` (tables) and
 * `-o json|yaml`.
 */
import type { CliIO } from '../io.js';

/** The width `audit test`'s renderer assumes when none is given (its tests and library callers). */
export const DEFAULT_WIDTH = 120;
/** No width: standard output is not a terminal and $COLUMNS is not set. */
export const UNLIMITED = Number.POSITIVE_INFINITY;
/** Narrower than this, columns cannot be made to fit usefully; output is laid out for this width. */
const MIN_WIDTH = 60;

export function outputWidth(io: Pick<CliIO, 'env' | 'columns'>): number {
  const fromEnv = Number(io.env.COLUMNS);
  const w = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : (io.columns ?? UNLIMITED);
  return Math.max(MIN_WIDTH, w);
}

/**
 * The width of what goes to standard error, by the same rule: $COLUMNS, else the width of the
 * terminal stderr is (it often is one while stdout is piped); redirected (`2>file`, `2>&1 | grep`),
 * no width, so each note stays one line there.
 */
export function errorWidth(io: Pick<CliIO, 'env' | 'errColumns'>): number {
  return outputWidth({ env: io.env, columns: io.errColumns });
}

/** `text` cut to `width` characters, the last one an ellipsis when anything was cut. */
export function ellipsis(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 0 ? '' : text.slice(0, width - 1) + '…';
}

/** Where a long word may break, best first: between labels, then within a label, then within a name. */
const BREAKS: readonly (readonly string[])[] = [[','], ['/', '='], ['-', '.', ':']];

/** Where to cut `head` (the first `width` characters of what is left): after the best break that leaves a third of it or more. */
function cutAt(head: string, width: number): number {
  for (const chars of BREAKS) {
    const at = Math.max(...chars.map((c) => head.lastIndexOf(c)));
    if (at >= width / 3) return at + 1;
  }
  return width;
}

/**
 * `word` in pieces of at most `width`, cut after a ',' (labels), else a '/' or '=', else a '-',
 * '.' or ':', so labels, pod names and addresses break where they read naturally; else at `width`.
 */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = word;
  while (rest.length > width) {
    const cut = cutAt(rest.slice(0, width), width);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return [...pieces, rest];
}

/** Words of `text` in lines of at most `width`; a longer word is broken (breakWord). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const words = text.split(/\s+/).filter((w) => w !== '');
  for (const word of words.flatMap((w) => (w.length > width ? breakWord(w, width) : [w]))) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}
