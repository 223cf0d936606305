/** The flow batch schema: what it accepts, what it refuses and how it names the bad field. */
import { describe, expect, it } from 'vitest';
import { observation } from './testing/flow-batch.js';
import { flowObservationSchema, parseFlowBatch } from './flow-batch.js';
import { isValidObservation } from './flow-fast-check.js';

const ok = observation();

describe('parseFlowBatch', () => {
  it('accepts a valid batch and ignores unknown members', () => {
    const r = parseFlowBatch({ batchId: 'b-1', node: 'node-a', flows: [ok, { ...ok, extra: 1 }], future: true });
    expect(r.ok).toBe(true);
  });

  it.each([
    { title: 'missing batchId', body: { node: 'n', flows: [] }, field: 'batchId' },
    { title: 'flows not an array', body: { batchId: 'b', node: 'n', flows: {} }, field: 'flows' },
    { title: 'body not an object', body: [1, 2], field: 'body' },
    { title: 'bad node name', body: { batchId: 'b', node: 'Node_A', flows: [] }, field: 'node' },
    { title: 'too many flows', body: { batchId: 'b', node: 'n', flows: Array(20_001).fill(0) }, field: 'flows' },
    { title: 'batch id with spaces', body: { batchId: 'a b', node: 'n', flows: [] }, field: 'batchId' },
  ])('refuses a batch with $title, naming $field', ({ body, field }) => {
    const r = parseFlowBatch(body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.status).toBe(400);
      expect(r.error.field).toBe(field);
    }
  });

  it.each([
    { title: 'a bad source IP', flow: { ...ok, src: { ...ok.src, ip: '10.0.0.256' } }, field: 'flows[1].src.ip' },
    // inet cannot store a zone id: it would fail the shared ingest transaction.
    { title: 'an IPv6 zone id', flow: { ...ok, dst: { ...ok.dst, ip: 'fe80::1%eth0' } }, field: 'flows[1].dst.ip' },
    { title: 'a port out of range', flow: { ...ok, dst: { ...ok.dst, port: 70000 } }, field: 'flows[1].dst.port' },
    { title: 'destination port 0', flow: { ...ok, dst: { ...ok.dst, port: 0 } }, field: 'flows[1].dst.port' },
    { title: 'an unknown protocol', flow: { ...ok, protocol: 'ICMP' }, field: 'flows[1].protocol' },
    { title: 'a time without zone', flow: { ...ok, firstSeen: '2026-03-01T10:00:00' }, field: 'flows[1].firstSeen' },
    { title: 'lastSeen before firstSeen', flow: { ...ok, lastSeen: '2026-03-01T09:00:00.000Z' }, field: 'flows[1].lastSeen' },
    { title: 'a zero count', flow: { ...ok, count: 0 }, field: 'flows[1].count' },
    { title: 'a huge count', flow: { ...ok, count: 1e300 }, field: 'flows[1].count' },
    { title: 'a fractional count', flow: { ...ok, count: 1.5 }, field: 'flows[1].count' },
    { title: 'a bad namespace', flow: { ...ok, src: { ...ok.src, namespace: 'Prod!' } }, field: 'flows[1].src.namespace' },
    { title: 'a string count', flow: { ...ok, count: '3' }, field: 'flows[1].count' },
    { title: 'a null item', flow: null, field: 'flows[1]' },
    // U+001F separates values on their way to PostgreSQL (store/flow-writes.ts): it must never get in.
    { title: 'a pod UID with a control character', flow: { ...ok, src: { ...ok.src, podUid: 'a\u001fb' } }, field: 'flows[1].src.podUid' },
  ])('refuses $title with the index and field of the item', ({ flow, field }) => {
    const r = parseFlowBatch({ batchId: 'b', node: 'n', flows: [ok, flow] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe(field);
      expect(r.error.details).toEqual({ index: 1 });
      expect(r.error.message).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: `));
    }
  });
});

/** Random variations of a valid observation: each mutation replaces one leaf with a nasty value. */
const NASTY: unknown[] = [undefined, null, '', ' ', 0, -1, 1.5, 65535, 65536, 1e9, 1e9 + 1, 2 ** 53, NaN, 'NaN', true, [], {},
  'TCP', 'tcp', 'Egress', 'pod', 'seen', '10.0.0.1', '::1', '1.2.3', 'fe80::1%eth0', 'a'.repeat(64), 'a'.repeat(254), 'a-b.c', '-a',
  '2026-03-01T10:00:05.000Z', '2026-03-01T10:00:04.999+01:00', '2026-13-01T10:00:00Z', '2026-02-30T10:00:00Z', '2026-03-01T10:00:05.1234567890Z'];

function mutate(obj: Record<string, unknown>, rnd: () => number): Record<string, unknown> {
  const copy = structuredClone(obj);
  const paths: string[][] = [];
  const walk = (o: Record<string, unknown>, p: string[]): void => {
    for (const [k, v] of Object.entries(o)) {
      paths.push([...p, k]);
      if (v && typeof v === 'object') walk(v as Record<string, unknown>, [...p, k]);
    }
  };
  walk(copy, []);
  for (let n = 1 + Math.floor(rnd() * 2); n > 0; n--) {
    const path = paths[Math.floor(rnd() * paths.length)]!;
    let target = copy;
    for (const k of path.slice(0, -1)) target = target[k] as Record<string, unknown>;
    // An earlier mutation may have replaced a parent of this path with a scalar.
    if (typeof target !== 'object' || target === null) continue;
    const value = NASTY[Math.floor(rnd() * NASTY.length)];
    if (value === undefined) Reflect.deleteProperty(target, path.at(-1)!);
    else target[path.at(-1)!] = value;
  }
  return copy;
}

describe('isValidObservation (the fast path)', () => {
  it('agrees with the zod schema on 20,000 random mutations', () => {
    let seed = 42;
    const rnd = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const candidate = mutate(ok as unknown as Record<string, unknown>, rnd);
      const fast = isValidObservation(candidate);
      const slow = flowObservationSchema.safeParse(candidate).success;
      if (fast !== slow) expect({ candidate, fast, slow }).toEqual({ candidate, fast: slow, slow });
      if (fast) accepted++;
    }
    // Both outcomes must be exercised, or the comparison proves little.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(19_000);
  }, 60_000); // a busy 2-core machine can take several seconds for this loop
});
