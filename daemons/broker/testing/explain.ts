/**
 * EXPLAIN helpers for the index tests: the planner's JSON plan of a statement and the nodes that
 * read a given table's partitions.
 */
import type { Queryable } from '../store/sql-client.js';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

export async function plan(db: Queryable, text: string, params: unknown[]): Promise<PlanNode> {
  const r = await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
  const top = r.rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (top === undefined) throw new Error(`EXPLAIN gave no plan for: ${text}`);
  return top;
}

/** Every node of the plan, depth first. */
export function planNodes(p: PlanNode): PlanNode[] {
  return [p, ...(p.Plans ?? []).flatMap(planNodes)];
}

/** The nodes reading a relation whose name starts with `table` (the table's partitions). */
export function scansOf(p: PlanNode, table: string): PlanNode[] {
  return planNodes(p).filter((n) => n['Relation Name']?.startsWith(table));
}

/** "Index Scan on flows_p20260303"-style descriptions, for assertions that name what went wrong. */
export const describeScan = (n: PlanNode): string => `${n['Node Type']} on ${n['Relation Name'] ?? '?'}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`;

export const INDEX_SCAN = /^(Index Scan|Index Only Scan|Bitmap Heap Scan) on /;
