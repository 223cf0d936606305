/**
 * Time windows over flow lines. `--holdout D` keeps the last D of the window out of learning and
 * judges the generated policies on it instead: the generalisation measure. A line is a distinct
 * flow seen from firstSeen to lastSeen, so it was seen before the split when firstSeen is, and
 * after it when lastSeen is; a line seen on both sides belongs to both windows.
 */
import type { LineFlow } from '../audit-test/load-flows.js';
import { CliError, EXIT } from '../errors.js';

export interface Window {
  first: number | undefined;
  last: number | undefined;
}

export interface HoldoutSplit {
  learn: LineFlow[];
  heldOut: LineFlow[];
  /** Where the held-out window starts and ends (ms since the epoch). */
  from: number;
  to: number;
}

export function windowOf(flows: readonly LineFlow[]): Window {
  let first: number | undefined;
  let last: number | undefined;
  for (const { seen } of flows) {
    if (seen.first !== undefined) first = first === undefined ? seen.first : Math.min(first, seen.first);
    if (seen.last !== undefined) last = last === undefined ? seen.last : Math.max(last, seen.last);
  }
  return { first, last };
}

/** Late in the window: the last quarter. A workload first seen there has had little time to show its callers. */
export function lateAfter(w: Window): number | undefined {
  return w.first === undefined || w.last === undefined || w.last <= w.first ? undefined : w.first + ((w.last - w.first) * 3) / 4;
}

/** Splits at `end - holdoutMs`; `end` is now for the broker's flows, else the last time in the file. */
export function splitHoldout(flows: readonly LineFlow[], source: string, holdoutMs: number, end: number | undefined): HoldoutSplit {
  const untimed = flows.find((f) => f.seen.first === undefined);
  if (untimed) throw new CliError(`--holdout needs to know when each flow was seen: ${source}, line ${untimed.line} has no firstSeen or lastSeen`, EXIT.badInput);
  const to = end ?? windowOf(flows).last ?? 0;
  const from = to - holdoutMs;
  const learn = flows.filter((f) => (f.seen.first ?? 0) < from);
  const heldOut = flows.filter((f) => (f.seen.last ?? 0) >= from);
  if (learn.length === 0) throw new CliError(`--holdout: no flows in ${source} were seen before the held-out window (from ${new Date(from).toISOString()}); hold out less`, EXIT.badInput);
  return { learn, heldOut, from, to };
}
