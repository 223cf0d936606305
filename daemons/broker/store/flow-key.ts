/**
 * The natural key of a `flows` row as one string, and the one order in which every transaction
 * locks flow rows. Ingest aggregates observations by this key and upserts them sorted by it
 * (flow-writes.ts); the evaluation loop, completing or releasing a claim, locks its rows sorted by
 * the same key computed from the stored rows (claims.ts). Two transactions that both take their
 * row locks in ascending key order can wait for each other but never deadlock; one statement that
 * took them in id order, or in whatever order a join produced, could (PostgreSQL then aborts one
 * of them with SQLSTATE 40P01).
 *
 * The key is built from exactly the columns of the unique index `flows_key`, each spelled as
 * PostgreSQL compares it: addresses as inetText() writes them (RFC 5952 for IPv6), an absent
 * namespace or pod as '', the minute bucket in epoch milliseconds.
 */
import type { FlowObservation } from '../../../contracts/flow-batch.js';
import type { FlowEnd } from '../../../contracts/flow-end.js';
import { inetText } from '../../../policy/address.js';
import type { StoredFlow } from './types.js';

/** What the key reads from an observation or a stored row, besides the bucket and the two addresses. */
export interface KeyedFlow {
  src: Pick<FlowEnd, 'namespace' | 'pod'>;
  dst: Pick<FlowEnd, 'port' | 'namespace' | 'pod'>;
  protocol: FlowObservation['protocol'];
  direction: FlowObservation['direction'];
  state: FlowObservation['state'];
}

/**
 * The key of a flow in the minute `bucket` (epoch ms) between two addresses already in inetText()
 * form. The most varying parts come first, so comparing keys while sorting stops early.
 */
export function flowKey(f: KeyedFlow, bucket: number, srcIp: string, dstIp: string): string {
  return `${srcIp}\u0000${dstIp}\u0000${f.dst.port}\u0000${f.src.pod ?? ''}\u0000${f.dst.pod ?? ''}\u0000${bucket}\u0000${f.src.namespace ?? ''}\u0000${f.dst.namespace ?? ''}\u0000${f.protocol}\u0000${f.direction}\u0000${f.state}`;
}

/** The key of a row read back from `flows` (its addresses as host() prints them). */
export function storedFlowKey(f: StoredFlow): string {
  return flowKey(f, Date.parse(f.bucket), inetText(f.src.ip), inetText(f.dst.ip));
}

/** Ascending key order (UTF-16 code units, as `<` compares strings): the lock order of `flows`. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
