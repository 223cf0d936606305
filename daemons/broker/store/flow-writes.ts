/**
 * Ingest: aggregate each batch in memory by flow key and minute (one statement may not
 * update the same row twice, and repetition is the common case), then, in one transaction,
 * record the batch ids and upsert the rows (ingest-queue.ts groups batches into transactions).
 * A batch whose id is already recorded writes nothing: a retried batch is stored exactly once,
 * even when the retry races the original
 * (the second insert of the id waits for the first transaction and then conflicts).
 */
import type { FlowBatch, FlowObservation } from '../../../contracts/flow-batch.js';
import { inetText } from '../../../policy/address.js';
import { compareKeys, flowKey } from './flow-key.js';
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

/** Parses RFC 3339 times, remembering recent ones: a batch repeats the same few seconds a lot. */
class TimeCache {
  private readonly parsed = new Map<string, number>();
  private readonly printed = new Map<number, string>();

  ms(text: string): number {
    let v = this.parsed.get(text);
    if (v === undefined) {
      v = Date.parse(text);
      if (this.parsed.size > 10_000) this.parsed.clear();
      this.parsed.set(text, v);
    }
    return v;
  }

  iso(ms: number): string {
    let v = this.printed.get(ms);
    if (v === undefined) {
      v = new Date(ms).toISOString();
      if (this.printed.size > 10_000) this.printed.clear();
      this.printed.set(ms, v);
    }
    return v;
  }
}

const times = new TimeCache();

/** Orders aggregates by key: the upsert then locks rows in the order every transaction uses (flow-key.ts). */
function byKey(x: FlowAggregate, y: FlowAggregate): number {
  return compareKeys(x.key, y.key);
}

export function aggregate(flows: readonly FlowObservation[]): FlowAggregate[] {
  const groups = new Map<string, FlowAggregate>();
  for (const o of flows) {
    const first = times.ms(o.firstSeen);
    const last = o.lastSeen === o.firstSeen ? first : times.ms(o.lastSeen);
    const bucket = first - (first % MINUTE_MS);
    // IPv6 has many spellings of one address; inet compares values, so the batch key must too.
    const srcIp = inetText(o.src.ip);
    const dstIp = inetText(o.dst.ip);
    const key = flowKey(o, bucket, srcIp, dstIp);
    const a = groups.get(key);
    if (a === undefined) {
      groups.set(key, { key, bucket, firstSeen: first, lastSeen: last, obs: o, srcIp, dstIp, count: o.count });
      continue;
    }
    a.count += o.count;
    if (first < a.firstSeen) a.firstSeen = first;
    if (last >= a.lastSeen) {
      a.lastSeen = last;
      a.obs = o; // the latest observation's source port, kinds and pod uids win
    }
  }
  // Not sorted here: mergeAggregates() sorts what one transaction writes, once.
  return [...groups.values()];
}

/**
 * Column types of the upsert's parameters. Each column travels as one text value, its items
 * joined by U+001F (unit separator) after a leading separator: ten times cheaper for the driver
 * to build than a PostgreSQL array literal, and cheaper for the server to split. Validation
 * guarantees no value contains U+001F (names are DNS names, IPs are canonical, pod UIDs are
 * [A-Za-z0-9-]); the leading separator keeps a lone empty string from becoming an empty array.
 */
const FLOW_COLUMN_TYPES = ['timestamptz', 'timestamptz', 'timestamptz', 'inet', 'int', 'text', 'text', 'text', 'text', 'inet', 'int',
  'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint'];
const SEP = '\u001f';

const UPSERT = `
INSERT INTO flows AS f (bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, src_pod_uid,
  dst_ip, dst_port, dst_kind, dst_namespace, dst_pod, dst_pod_uid, protocol, direction, state, node, count, pending)
SELECT bucket, first_seen, last_seen, src_ip, src_port, src_kind, src_namespace, src_pod, src_pod_uid,
  dst_ip, dst_port, dst_kind, dst_namespace, dst_pod, dst_pod_uid, protocol, direction, state, node, count, count
FROM unnest(${FLOW_COLUMN_TYPES.map((t, i) => `(string_to_array($${i + 1}, E'\\x1f'))[2:]::${t}[]`).join(', ')})
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

/** The upsert's parameters: one U+001F-joined text per column (see FLOW_COLUMN_TYPES). */
function columns(rows: readonly FlowAggregate[]): string[] {
  // One array per column, filled in a single pass without a temporary array per row.
  const c: string[][] = FLOW_COLUMN_TYPES.map(() => ['']);
  const [bucket, first, last, srcIp, srcPort, srcKind, srcNs, srcPod, srcUid, dstIp, dstPort, dstKind, dstNs, dstPod, dstUid, proto, dir, state, node, count] = c as [
    string[], string[], string[], string[], string[], string[], string[], string[], string[], string[],
    string[], string[], string[], string[], string[], string[], string[], string[], string[], string[],
  ];
  for (const a of rows) {
    const o = a.obs;
    bucket.push(times.iso(a.bucket));
    first.push(times.iso(a.firstSeen));
    last.push(times.iso(a.lastSeen));
    srcIp.push(a.srcIp);
    srcPort.push(String(o.src.port));
    srcKind.push(o.src.kind);
    srcNs.push(o.src.namespace ?? '');
    srcPod.push(o.src.pod ?? '');
    srcUid.push(o.src.podUid ?? '');
    dstIp.push(a.dstIp);
    dstPort.push(String(o.dst.port));
    dstKind.push(o.dst.kind);
    dstNs.push(o.dst.namespace ?? '');
    dstPod.push(o.dst.pod ?? '');
    dstUid.push(o.dst.podUid ?? '');
    proto.push(o.protocol);
    dir.push(o.direction);
    state.push(o.state);
    node.push(o.node);
    count.push(String(a.count));
  }
  return c.map((col) => col.join(SEP));
}

/** A validated batch, aggregated, waiting to be written. */
export interface PendingBatch {
  batch: FlowBatch;
  rows: FlowAggregate[];
  receivedAt: Date;
}

/**
 * Merges the aggregates of several batches by key and sorts them by key. Inputs are never
 * modified (a transaction retried after a deadlock merges them again): an aggregate is copied
 * only when a second one of the same key has to be folded into it.
 */
export function mergeAggregates(lists: readonly (readonly FlowAggregate[])[]): FlowAggregate[] {
  const merged = new Map<string, FlowAggregate>();
  const copied = new Set<FlowAggregate>();
  for (const list of lists) {
    for (const a of list) {
      let m = merged.get(a.key);
      if (m === undefined) {
        merged.set(a.key, a);
        continue;
      }
      if (!copied.has(m)) {
        m = { ...m };
        copied.add(m);
        merged.set(a.key, m);
      }
      m.count += a.count;
      if (a.firstSeen < m.firstSeen) m.firstSeen = a.firstSeen;
      if (a.lastSeen >= m.lastSeen) {
        m.lastSeen = a.lastSeen;
        m.obs = a.obs;
      }
    }
  }
  return [...merged.values()].sort(byKey);
}

/**
 * Writes a group of batches in the caller's transaction: records their ids, then upserts the
 * merged rows of those that were new. Returns, per batch, whether it was stored (false: its id
 * was already recorded, by an earlier transaction or earlier in this group).
 */
export async function writeGroup(
  tx: Queryable,
  group: readonly PendingBatch[],
  merge: (lists: readonly (readonly FlowAggregate[])[]) => FlowAggregate[],
): Promise<boolean[]> {
  const ids = group.map((p) => `${p.batch.node}\u0000${p.batch.batchId}`);
  const firstIndex = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!firstIndex.has(id)) firstIndex.set(id, i);
  });
  // Sorted by id: two transactions recording the same ids (a retry racing its original) wait on
  // each other's unique-index entries in one order, so they cannot deadlock either.
  const unique = group
    .map((p, i) => ({ p, id: ids[i] ?? '' }))
    .filter((x, i) => firstIndex.get(x.id) === i)
    .sort((x, y) => compareKeys(x.id, y.id))
    .map((x) => x.p);
  const r = await tx.query<{ node: string; batch_id: string }>(
    `INSERT INTO ingested_batches (node, batch_id, received_at, observations)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[])
     ON CONFLICT (node, batch_id) DO NOTHING
     RETURNING node, batch_id`,
    [unique.map((p) => p.batch.node), unique.map((p) => p.batch.batchId), unique.map((p) => p.receivedAt), unique.map((p) => p.batch.flows.length)],
  );
  const fresh = new Set(r.rows.map((row) => `${row.node}\u0000${row.batch_id}`));
  const stored = ids.map((id, i) => fresh.has(id) && firstIndex.get(id) === i);
  const rows = merge(group.filter((_, i) => stored[i]).map((p) => p.rows));
  if (rows.length > 0) await tx.query(UPSERT, columns(rows));
  return stored;
}
