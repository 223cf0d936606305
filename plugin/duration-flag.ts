/**
 * A duration typed as a flag's value: the one grammar of runtime/duration.ts, more than zero
 * (a look-back, a holdout, a quiet period or a check of no time at all is a slip). Every flag that
 * takes a duration (--since, --holdout, --min-quiet, --verify) is read here, so a mistake reads the
 * same everywhere: the flag, the value as typed, and the grammar, or that it must be more than zero.
 */
import { parseDuration } from '../runtime/duration.js';
import { CliError, EXIT } from './errors.js';

const EXAMPLES = 'such as 15m, 1h30m or 7d';

/** Milliseconds of `value`, the value of `flag`; a flag given twice counts with its last value, as kubectl's do. */
export function durationFlag(flag: string, value: unknown): number {
  const last: unknown = Array.isArray(value) ? value.at(-1) : value;
  const text = typeof last === 'string' ? last.trim() : JSON.stringify(last);
  const ms = typeof last === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined) throw new CliError(`${flag}: ${JSON.stringify(text)} is not a duration; use numbers with s, m, h or d, ${EXAMPLES}`, EXIT.badInput);
  if (ms <= 0) throw new CliError(`${flag}: ${JSON.stringify(text)} is zero; it must be greater than zero, ${EXAMPLES}`, EXIT.badInput);
  return ms;
}
