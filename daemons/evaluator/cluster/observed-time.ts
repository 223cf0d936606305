/**
 * An item's `observedAt` in epoch ms, memoised: the flows of one agent flush share their times, and
 * both the judge (IP history) and the batch (policy-changes.ts) read each item's.
 */
const MAX_KEYS = 4096;
const parsed = new Map<string, number>();

export function observedTime(text: string): number {
  const hit = parsed.get(text);
  if (hit !== undefined) return hit;
  const ms = Date.parse(text);
  if (parsed.size >= MAX_KEYS) parsed.clear();
  parsed.set(text, ms);
  return ms;
}
