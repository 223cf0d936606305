/**
 * Exit codes and the errors commands raise. Documented in docs/cli.md; scripts rely on them.
 */

export const EXIT = {
  ok: 0,
  /** Something went wrong that is not the input's fault (cluster unreachable, I/O). */
  failure: 1,
  /** Bad input or bad flags: the message names the file, line or flag. */
  badInput: 2,
  /** `--fail-on-deny` and at least one flow would be denied. */
  denied: 3,
  /**
   * `audit promote` / `promote-cluster`: the safety gate refused (evaluation stale or would-deny flows), or
   * --apply would replace a NetworkPolicy promoted from another source or written by someone else. --force
   * overrides the gate, --allow-untested a window with 0 flows, --overwrite the replacement.
   */
  unsafe: 4,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface InputLocation {
  file: string;
  line?: number;
  document?: number;
  field?: string;
}

/** "policy.yaml, document 2 (line 14), spec.ingress[0].ports[0].port: ..." */
export function formatLocation(loc: InputLocation): string {
  const parts = [loc.file];
  if (loc.document !== undefined) parts.push(`document ${loc.document}${loc.line !== undefined ? ` (line ${loc.line})` : ''}`);
  else if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  const where = parts.join(', ');
  return loc.field ? `${where}: ${loc.field}` : where;
}

export class InputError extends CliError {
  constructor(
    readonly location: InputLocation,
    readonly detail: string,
  ) {
    super(`${formatLocation(location)}: ${detail}`, EXIT.badInput);
    this.name = 'InputError';
  }
}
