/**
 * How wide text output may be: $COLUMNS when set (as shells export it), else the terminal's
 * width when standard output is one, else 120. Tables and `describe` fit in it; the full text is
 * always in `-o wide` (tables) and `-o json|yaml`.
 */
import type { CliIO } from '../io.js';

export const DEFAULT_WIDTH = 120;
/** Narrower than this, columns cannot be made to fit usefully; lines just run over. */
const MIN_WIDTH = 60;

export function outputWidth(io: Pick<CliIO, 'env' | 'columns'>): number {
  const fromEnv = Number(io.env.COLUMNS);
  const w = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : (io.columns ?? DEFAULT_WIDTH);
  return Math.max(MIN_WIDTH, w);
}

/** `text` cut to `width` characters, the last one an ellipsis when anything was cut. */
export function ellipsis(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 0 ? '' : text.slice(0, width - 1) + '…';
}

/** Words of `text` in lines of at most `width` (a longer word gets a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}
