/**
 * Lists verdicts from GET /audit/verdicts, newest first, following nextBeforeId page by page
 * until `limit` rows or the end. Pages are as large as the broker allows, so a --limit of a few
 * thousand takes a few requests.
 */
import type { BrokerClient, Query } from './client.js';
import type { StoredVerdict, VerdictPage } from './types.js';

/** The broker's largest page (VERDICT_PAGE.maxLimit in daemons/broker/routes/verdicts.ts). */
export const MAX_PAGE = 1000;

export async function listVerdicts(client: BrokerClient, query: Query, limit: number): Promise<StoredVerdict[]> {
  const out: StoredVerdict[] = [];
  let beforeId: number | undefined;
  while (out.length < limit) {
    const page = await client.getJson<VerdictPage>('/audit/verdicts', { ...query, limit: Math.min(MAX_PAGE, limit - out.length), before_id: beforeId });
    out.push(...page.verdicts);
    if (page.nextBeforeId === null || page.verdicts.length === 0) break;
    beforeId = page.nextBeforeId;
  }
  return out;
}
