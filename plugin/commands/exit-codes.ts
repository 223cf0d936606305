/**
 * The exit codes as each command's --help prints them (an epilogue after the examples), from the
 * same EXIT table the commands return, so the help, docs/cli.md and the code cannot disagree
 * without plugin/help.test.ts noticing. Light on purpose: --help loads it.
 */
import type { Argv } from 'yargs';
import { EXIT } from '../errors.js';

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// Lines are kept under 90 characters: yargs wraps the epilogue at the terminal's width (100 when unknown).
export const EXIT_CODE_TEXT: Readonly<Record<ExitCode, string>> = {
  [EXIT.ok]: 'success',
  [EXIT.failure]: "failure that is not the input's fault: cluster or broker unreachable, not found,\n     forbidden, I/O",
  [EXIT.badInput]: 'bad input or flags: the message names the file, line or flag',
  [EXIT.denied]: 'audit test --fail-on-deny: at least one flow would be denied',
  [EXIT.unsafe]: 'audit promote, promote-cluster: refused by the safety gate (--force, or for 0 flows\n     --allow-untested, overrides), or --apply would replace a NetworkPolicy of another\n     source (--overwrite overrides); gen: a workload refused, or its own flows denied',
};

/** Every command can succeed, fail, or be given bad flags. */
export const COMMON_EXIT_CODES: readonly ExitCode[] = [EXIT.ok, EXIT.failure, EXIT.badInput];
export const ALL_EXIT_CODES: readonly ExitCode[] = [...COMMON_EXIT_CODES, EXIT.denied, EXIT.unsafe];

export function exitCodesText(codes: readonly ExitCode[]): string {
  return ['Exit codes:', ...codes.map((c) => `  ${c}  ${EXIT_CODE_TEXT[c]}`)].join('\n');
}

export function withExitCodes<T>(y: Argv<T>, codes: readonly ExitCode[]): Argv<T> {
  return y.epilogue(exitCodesText(codes));
}
