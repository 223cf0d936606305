/**
 * Time windows over flow lines. `--holdout D` keeps the last D of the window out of learning and
 * judges the generated policies on it instead: the generalisation measure. A line is a distinct
 * flow seen from firstSeen to lastSeen, so it was seen before the split when firstSeen is, and
 * after it when lastSeen is; a line seen on both sides belongs to both windows.
 */
import type { LineFlow } from '../audit-test/load-flows.js';
import { formatDuration } from '../../runtime/duration.js';
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
  if (learn.length === 0) throw allHeldOut(source, heldOut, holdoutMs, to);
  return { learn, heldOut, from, to };
}

/** The largest whole days, hours, minutes or seconds below `ms`: a holdout that reads well. */
function roundDown(ms: number): number {
  for (const unit of [86_400_000, 3_600_000, 60_000, 1000]) if (ms >= unit) return Math.floor(ms / unit) * unit;
  return 0;
}

/**
 * There are flows, but every one falls in the held-out window: nothing is left to learn from, so
 * nothing can be generated (exit 4, as for any run that generates nothing). The advice is a
 * holdout that leaves the older half of the flows' span to learn from.
 */
export function allHeldOut(source: string, heldOut: readonly LineFlow[], holdoutMs: number, to: number): CliError {
  const first = windowOf(heldOut).first ?? to;
  const from = new Date(to - holdoutMs).toISOString();
  const n = heldOut.length;
  const shorter = roundDown((to - first) / 2);
  const advice = shorter > 0 ? `hold out less, such as --holdout ${formatDuration(shorter)}` : 'hold out less, or wait for more traffic to be recorded';
  return new CliError(
    `--holdout ${formatDuration(holdoutMs)}: there are flows (${source}: ${n === 1 ? '1 distinct flow' : `${n} distinct flows`}), but all of them fall in the held-out window ` +
      `(the last ${formatDuration(holdoutMs)}, from ${from}), so nothing is left to learn from and no policy was generated; ${advice}`,
    EXIT.unsafe,
  );
}
