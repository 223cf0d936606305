/**
 * The claim side must compute, from a row read back from PostgreSQL, the very key ingest sorted
 * the row's aggregate by: otherwise the two lock rows in different orders and can deadlock. Each
 * row of the table is an observation whose spelling PostgreSQL changes on the way in (IPv6
 * forms) or whose ends have no pod; it is stored in embedded PGlite, claimed back, and both keys
 * are compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowObservation } from '../../../contracts/flow-batch.js';
import { batch, observation } from '../testing/fixtures.js';
import { compareKeys, storedFlowKey } from './flow-key.js';
import { aggregate } from './flow-writes.js';
import { createPgliteClient } from './pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';
import type { Store } from './types.js';

const AT = '2026-03-01T10:00:05.123Z';
const NOW = new Date('2026-03-01T10:01:00.000Z');
const base = observation({ at: AT });

const CASES: { title: string; obs: FlowObservation }[] = [
  { title: 'IPv4 pod to pod', obs: base },
  { title: 'IPv6 in its long form', obs: { ...base, src: { ...base.src, ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }, dst: { ...base.dst, ip: '2001:DB8::2' } } },
  // PostgreSQL prints these with a dotted quad; RFC 5952 (inetText) in hex.
  { title: 'IPv4-mapped IPv6', obs: { ...base, src: { ...base.src, ip: '::ffff:10.0.1.5' }, dst: { ...base.dst, ip: '::ffff:10.0.2.7' } } },
  { title: 'IPv4-compatible IPv6', obs: { ...base, src: { ...base.src, ip: '::10.0.1.5' } } },
  { title: 'no pod at either end', obs: { ...base, src: { ip: '192.168.0.10', port: 5000, kind: 'host' }, dst: { ip: '1.1.1.1', port: 53, kind: 'external' }, protocol: 'UDP', state: 'seen' } },
  { title: 'ingress, refused', obs: { ...base, direction: 'Ingress', state: 'refused', src: { ...base.src, pod: undefined, namespace: undefined, kind: 'unknown' } } },
];

let store: Store;

beforeAll(async () => {
  store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
}, 120_000); // PGlite compiles its WebAssembly on start, slowly on a busy machine

afterAll(async () => {
  await store.close();
});

describe('flow keys (PGlite)', () => {
  it.each(CASES)('a claimed row has its aggregate key: $title', async ({ obs }) => {
    await store.ingest(batch([obs]), NOW);
    const claim = await store.claimPending(10, NOW, 60_000);
    await store.releaseClaim(claim); // the rows stay pending, for the last test
    const [agg] = aggregate([obs]);
    expect(claim.flows.map((c) => storedFlowKey(c.flow))).toContain(agg?.key);
  });

  it('orders rows read back as ingest orders their aggregates', async () => {
    const claim = await store.claimPending(100, NOW, 60_000);
    const fromRows = claim.flows.map((c) => storedFlowKey(c.flow)).sort(compareKeys);
    const fromObservations = aggregate(CASES.map((c) => c.obs)).map((a) => a.key).sort(compareKeys);
    expect(fromRows).toEqual(fromObservations);
  });
});
