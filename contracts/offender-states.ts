/**
 * An offender's count per connection state in words, the same in `describe`, the evaluator's
 * Events and anywhere else a summary lists offenders: "refused" when every one of them was
 * refused (the count is beside it), "5 refused, 2 attempt, 1 established" when they differ, the
 * largest first. The state words are the agent's, as `verdicts --state` takes them.
 */
import type { OffenderStates } from './broker-api.js';

export function statesText(states: OffenderStates | undefined): string {
  const entries = Object.entries<number | undefined>(states ?? {}).flatMap(([s, n]) => (n !== undefined && n > 0 ? [[s, n] as const] : []));
  if (entries.length === 0) return 'unknown';
  if (entries.length === 1) return entries[0]?.[0] ?? 'unknown';
  return [...entries].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([s, n]) => `${n} ${s}`).join(', ');
}
