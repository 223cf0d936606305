/**
 * Verdict rows in bulk, for the live path (claims.ts) and replays (replay-pages.ts). Inserts take
 * an advisory lock held to the end of the transaction, so verdict ids become visible in
 * increasing order: the stream resumes "after id N" and must not miss a smaller id committed later.
 */
import { transpose } from './columns.js';
import { LOCK_KEYS } from './migrations.js';
import type { Queryable } from './sql-client.js';
import type { PodRef } from '../../../policy/types.js';
import { podOf, type AnyEndName } from '../../../contracts/flow-end-label.js';

/** One audit_verdicts row, in the column order of the insert below. */
export type VerdictValues = [
  observedAt: Date | string,
  evaluatedAt: Date,
  flowId: number,
  policyUid: string,
  policyKind: string,
  policyNamespace: string,
  policyName: string,
  policyGeneration: number,
  direction: string,
  verdict: string,
  srcNamespace: string,
  srcPod: string,
  srcIp: string,
  dstNamespace: string,
  dstPod: string,
  dstIp: string,
  port: number,
  protocol: string,
  reason: string,
  count: number,
  /** The judged flow's connection state ('' when unknown). */
  state: string,
];

const VERDICT_INSERT = `
INSERT INTO audit_verdicts (observed_at, evaluated_at, flow_id, policy_uid, policy_kind, policy_namespace, policy_name,
  policy_generation, direction, verdict, src_namespace, src_pod, src_ip, dst_namespace, dst_pod, dst_ip, port, protocol,
  reason, count, state)
SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
  $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::inet[], $14::text[], $15::text[], $16::inet[],
  $17::int[], $18::text[], $19::text[], $20::bigint[], $21::text[])`;

/** The pod of an end: as the agent stamped it, else as the evaluator resolved it, else none (''). */
export function endIdentity(stamp: AnyEndName, resolved: PodRef | null | undefined): [string, string] {
  const pod = podOf(stamp) ?? resolved;
  return pod ? [pod.namespace, pod.pod] : ['', ''];
}

/** Inserts the rows in the caller's transaction (nothing, and no lock, when there are none). */
export async function insertVerdicts(tx: Queryable, rows: readonly VerdictValues[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.verdictIds]);
  await tx.query(VERDICT_INSERT, transpose(rows, 21));
}
