/**
 * A policy's verdicts for the table, grouped view and map: pages of the broker's list (newest
 * first) until MAX_ROWS rows match the page's own filters or the broker has no more. `onPage`
 * gets the rows so far after each page that more will follow, so the table can show the newest
 * while older ones are still on their way.
 */
import { getJson } from './api.js';
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { brokerParams, matchesFilters, type Filters, type PolicyRef } from './state.js';

export const MAX_ROWS = 10_000;
export const VERDICTS_PATH = '/audit/verdicts';
const PAGE = 1000;

export interface Loaded {
  rows: StoredVerdict[];
  /** True when the broker holds more than MAX_ROWS matching rows (only the newest are shown). */
  truncated: boolean;
}

/** The broker query of one page; the first (no `before`) is also what the page shell primes. */
export function pageParams(policy: PolicyRef, f: Filters, before?: number | null): URLSearchParams {
  const p = brokerParams(policy, f);
  p.set('limit', String(PAGE));
  if (before) p.set('before_id', String(before));
  return p;
}

export async function loadVerdicts(policy: PolicyRef, f: Filters, signal: AbortSignal, onPage?: (rows: readonly StoredVerdict[]) => void): Promise<Loaded> {
  const rows: StoredVerdict[] = [];
  let before: number | null | undefined;
  for (;;) {
    const page = await getJson<{ verdicts: StoredVerdict[]; nextBeforeId: number | null }>(VERDICTS_PATH, pageParams(policy, f, before), signal);
    for (const v of page.verdicts) {
      if (!matchesFilters(v, policy, f)) continue;
      if (rows.length === MAX_ROWS) return { rows, truncated: true };
      rows.push(v);
    }
    before = page.nextBeforeId;
    if (!before) return { rows, truncated: false };
    onPage?.(rows.slice());
  }
}
