/**
 * The read side of `flows` for GET /v1/flows (replay and `audit test`): pages in id order, the
 * cursor being the last id of the previous page. since/until bound the bucket (the partition key,
 * so whole days are pruned); the EXPLAIN test in verdict-indexes.int.test.ts runs flowPageSql.
 */
import { flowColumns, toFlow, type FlowRow } from './rows.js';
import type { Queryable } from './sql-client.js';
import type { FlowPage, FlowPageQuery } from './types.js';

const MINUTE_MS = 60_000;

/** The SQL of one page (limit + 1 rows, to know whether another page follows), exported for the EXPLAIN test. */
export function flowPageSql(q: FlowPageQuery): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const add = (sql: string, v: unknown): void => {
    params.push(v);
    conds.push(sql.replace('?', `$${params.length}`));
  };
  // A bucket is the minute of first_seen: a since inside a minute keeps that minute's rows.
  if (q.since) add('bucket >= ?', new Date(Math.floor(q.since.getTime() / MINUTE_MS) * MINUTE_MS));
  if (q.until) add('bucket < ?', q.until);
  if (q.afterId !== undefined) add('id > ?', q.afterId);
  params.push(q.limit + 1);
  return {
    text: `SELECT ${flowColumns()} FROM flows ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
    params,
  };
}

export async function listFlows(db: Queryable, q: FlowPageQuery): Promise<FlowPage> {
  const { text, params } = flowPageSql(q);
  const r = await db.query<FlowRow>(text, params);
  const flows = r.rows.slice(0, q.limit).map(toFlow);
  return { flows, nextCursor: r.rows.length > q.limit ? (flows.at(-1)?.id ?? null) : null };
}
