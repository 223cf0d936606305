/**
 * `flows export`: the flows the broker recorded, as the JSON Lines that `audit test --flows` and
 * `gen networkpolicy --flows` read, so a test can run offline (in CI, on another machine) against
 * real traffic. One line per distinct flow (source, destination, protocol, port) with its earliest
 * firstSeen, latest lastSeen and summed count, as gen's live read makes them (gen/live-flows.ts),
 * sorted so two exports of the same window compare with diff. `-o json|yaml` wrap the same
 * objects in `{"flows": [...]}` for scripts; only JSON Lines is what --flows reads. The
 * rendering (js-yaml) is in render.ts, imported when the command runs.
 */
import type { StoredFlow } from '../broker/types.js';
import { CliError, EXIT } from '../errors.js';

export type ExportOutput = 'jsonl' | 'json' | 'yaml';
export const EXPORT_OUTPUTS: readonly ExportOutput[] = ['jsonl', 'json', 'yaml'];

/** Which flows: those with either end in one namespace, or all. */
export type ExportScope = { kind: 'namespace'; namespace: string } | { kind: 'all' };

export function outputOf(v: unknown): ExportOutput {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const found = EXPORT_OUTPUTS.find((o) => o === text.toLowerCase());
  if (found === undefined) throw new CliError(`-o/--output: ${JSON.stringify(text)} is not one of ${EXPORT_OUTPUTS.join(', ')}`, EXIT.badInput);
  return found;
}

/** A flow belongs to a namespace when either end is a pod of it: a policy there can select that end. */
export function inScope(scope: ExportScope): (f: StoredFlow) => boolean {
  if (scope.kind === 'all') return () => true;
  return (f) => f.src.namespace === scope.namespace || f.dst.namespace === scope.namespace;
}
