/**
 * How every `--help` is laid out: one width for all of it (yargs's flag table, the examples and
 * the exit codes), from the same rule as the tables (output/width.ts: $COLUMNS, else the terminal's
 * width), capped at 120 characters since longer lines are hard to read; with no width (a pipe,
 * `--help | less`) 80, the width help text is traditionally written for. Light: --help loads it.
 */
import type { Argv } from 'yargs';
import type { CliIO } from '../io.js';
import { outputWidth, UNLIMITED } from '../output/width.js';
import { examplesText, type Example } from './examples.js';
import { exitCodesText, type ExitCode } from './exit-codes.js';

/** Wider than this, help lines get hard to read; a wider terminal keeps the help at this width. */
export const MAX_HELP_WIDTH = 120;
/** The help's width when the output has none (a pipe or a file). */
export const PIPE_HELP_WIDTH = 80;

export function helpWidth(io: Pick<CliIO, 'env' | 'columns'>): number {
  const w = outputWidth(io);
  return w === UNLIMITED ? PIPE_HELP_WIDTH : Math.min(MAX_HELP_WIDTH, w);
}

/** What a command's help shows after its flags. */
export interface HelpEnd {
  examples: readonly Example[];
  exitCodes: readonly ExitCode[];
}

/** Ends `y`'s help with its examples and exit codes, laid out in `width`. */
export function withHelp<T>(y: Argv<T>, end: HelpEnd, width: number): Argv<T> {
  return y.epilogue(`${examplesText(end.examples, width)}\n\n${exitCodesText(end.exitCodes, width)}`);
}
