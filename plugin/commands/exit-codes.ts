/**
 * The exit codes as each command's --help prints them (after the examples, help.ts), from the
 * same EXIT table the commands return, so the help, docs/cli.md and the code cannot disagree
 * without plugin/help.test.ts noticing. Light on purpose: --help loads it.
 */
import { EXIT } from '../errors.js';
import { wrapWords } from '../output/width.js';

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// One line each: exitCodesText wraps them in the help's width.
export const EXIT_CODE_TEXT: Readonly<Record<ExitCode, string>> = {
  [EXIT.ok]: 'success',
  [EXIT.failure]: "failure that is not the input's fault: cluster or broker unreachable, not found, forbidden, I/O",
  [EXIT.badInput]: 'bad input or flags: the message names the file, line or flag',
  [EXIT.denied]: 'audit test --fail-on-deny: at least one flow would be denied',
  [EXIT.unsafe]: 'audit promote, promote-cluster: refused by the safety gate (--force, or for 0 flows --allow-untested, overrides), or --apply would replace a NetworkPolicy of another source (--overwrite overrides); gen: a workload refused, or its own flows denied',
};

/** Every command can succeed, fail, or be given bad flags. */
export const COMMON_EXIT_CODES: readonly ExitCode[] = [EXIT.ok, EXIT.failure, EXIT.badInput];
export const ALL_EXIT_CODES: readonly ExitCode[] = [...COMMON_EXIT_CODES, EXIT.denied, EXIT.unsafe];

/** Under the code, the lines its text wraps onto. */
const HANG = '     ';

/** The Exit codes section in `width`: `  2  text`, the text wrapped under itself. */
export function exitCodesText(codes: readonly ExitCode[], width: number): string {
  const entry = (c: ExitCode): string => wrapWords(EXIT_CODE_TEXT[c], width - HANG.length).map((l, i) => (i === 0 ? `  ${c}  ${l}` : HANG + l)).join('\n');
  return ['Exit codes:', ...codes.map(entry)].join('\n');
}
