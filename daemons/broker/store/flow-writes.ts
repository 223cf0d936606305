/**
 * Ingest of one batch: aggregate it in memory by flow key and minute (one statement may not
 * update the same row twice, and repetition is the common case), then, in one transaction,
 * record the batch id and upsert the rows. If the batch id is already recorded the transaction
 * writes nothing: a retried batch is stored exactly once, even when the retry races the original
 * (the second insert of the id waits for the first transaction and then conflicts).
 */
import ipaddr from 'ipaddr.js';
import type { FlowBatch, FlowObservation } from '../api/flow-batch.js';
import { transpose } from './columns.js';
import type { Queryable } from './sql-client.js';

const MINUTE_MS = 60_000;

/** One row to upsert: the aggregate of every observation of a key in a minute. */
export interface FlowAggregate {
  key: string;
  bucket: number;
  firstSeen: number;
  lastSeen: number;
  obs: FlowObservation;
  srcIp: string;
  dstIp: string;
  count: number;
}

/** IPv6 has many spellings of one address; inet compares values, so the batch key must too. */
export function canonicalIp(ip: string): string {
  return ip.includes(':') ? ipaddr.parse(ip).toString() : ip;
}

export function aggregate(flows: readonly FlowObservation[]): FlowAggregate[] {
  const byKey = new Map<string, FlowAggregate>();
  for (const o of flows) {
    const first = Date.parse(o.firstSeen);
    const last = Date.parse(o.lastSeen);
    const bucket = Math.floor(first / MINUTE_MS) * MINUTE_MS;
    const srcIp = canonicalIp(o.src.ip);
    const dstIp = canonicalIp(o.dst.ip);
    const key = [bucket, srcIp, o.src.namespace ?? '', o.src.pod ?? '', dstIp, o.dst.namespace ?? '', o.dst.pod ?? '',
      o.protocol, o.dst.port, o.direction, o.state].join('\u0000');
    const a = byKey.get(key);
    if (a === undefined) {
      byKey.set(key, { key, bucket, firstSeen: first, lastSeen: last, obs: o, srcIp, dstIp, count: o.count });
      continue;
    }
    a.count += o.count;
    if (first < a.firstSeen) a.firstSeen = first;
    if (last >= a.lastSeen) {
      a.lastSeen = last;
      a.obs = o; // the latest observation's source port, kinds and pod uids win
    }
  }
  // Every transaction locks rows in key order, so two concurrent batches cannot deadlock.
  return [...byKey.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

const iso = (ms: number): string => new Date(ms).toISOString();

const UPSERT = `
INSERT INTO flows AS f (bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, src_pod_uid,
  dst_ip, dst_port, dst_kind, dst_namespace, dst_pod, dst_pod_uid, protocol, direction, state, node, count, pending)
SELECT bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, src_pod_uid,
  dst_ip, dst_port, dst_kind, dst_namespace, dst_pod, dst_pod_uid, protocol, direction, state, node, count, count
FROM unnest($1::timestamptz[], $2::timestamptz[], $3::timestamptz[], $4::inet[], $5::int[], $6::text[], $7::text[],
  $8::text[], $9::text[], $10::inet[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
  $17::text[], $18::text[], $19::text[], $20::bigint[])
  AS u(bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, src_pod_uid,
       dst_ip, dst_port, dst_kind, dst_namespace, dst_pod, dst_pod_uid, protocol, direction, state, node, count)
ON CONFLICT (bucket, src_ip, src_namespace, src_pod, dst_ip, dst_namespace, dst_pod, protocol, dst_port, direction, state)
DO UPDATE SET
  count = f.count + excluded.count,
  pending = f.pending + excluded.count,
  first_seen = least(f.first_seen, excluded.first_seen),
  last_seen = greatest(f.last_seen, excluded.last_seen),
  src_port = excluded.src_port, src_kind = excluded.src_kind, src_pod_uid = excluded.src_pod_uid,
  dst_kind = excluded.dst_kind, dst_pod_uid = excluded.dst_pod_uid, node = excluded.node`;

function columns(rows: readonly FlowAggregate[]): unknown[][] {
  const values = rows.map((a) => {
    const o = a.obs;
    return [iso(a.bucket), iso(a.firstSeen), iso(a.lastSeen), a.srcIp, o.src.port, o.src.kind,
      o.src.namespace ?? '', o.src.pod ?? '', o.src.podUid ?? '', a.dstIp, o.dst.port, o.dst.kind,
      o.dst.namespace ?? '', o.dst.pod ?? '', o.dst.podUid ?? '', o.protocol, o.direction, o.state, o.node, a.count];
  });
  return transpose(values, 20);
}

/** Writes the batch in the caller's transaction; returns false when it was already stored. */
export async function writeBatch(tx: Queryable, batch: FlowBatch, rows: readonly FlowAggregate[], receivedAt: Date): Promise<boolean> {
  const seen = await tx.query(
    `INSERT INTO ingested_batches (node, batch_id, received_at, observations) VALUES ($1, $2, $3, $4)
     ON CONFLICT (node, batch_id) DO NOTHING`,
    [batch.node, batch.batchId, receivedAt, batch.flows.length],
  );
  if (seen.rowCount === 0) return false;
  if (rows.length > 0) await tx.query(UPSERT, columns(rows));
  return true;
}
