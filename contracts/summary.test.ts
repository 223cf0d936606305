/**
 * One summary contract: what the broker's store builds and its route sends is what the evaluator
 * reads back, and an offender from a broker older than the per-state counts still reads.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { Summary as StoreSummary } from '../daemons/broker/store/types.js';
import { summaryAnswerSchema, type Offender, type Summary } from './summary.js';

const OFFENDER: Offender = {
  src: { namespace: 'web', pod: 'web-1', ip: '10.0.0.5' },
  dst: { namespace: '', pod: '', ip: '203.0.113.9' },
  port: 443,
  protocol: 'TCP',
  direction: 'Egress',
  count: 4,
  lastSeen: '2026-03-01T10:00:00.000Z',
  states: { established: 3, refused: 1 },
};

describe('the summary contract', () => {
  it('reads what the broker sends: the store summary and its window', () => {
    expectTypeOf<StoreSummary>().toEqualTypeOf<Summary>();
    expectTypeOf<StoreSummary & { since: string; until: string }>().toExtend<z.input<typeof summaryAnswerSchema>>();
    const answer = { policy: null, namespace: null, uid: 'u', generation: 2, since: '2026-03-01T09:00:00.000Z', until: '2026-03-01T10:00:00.000Z', allow: 7, wouldDeny: 4, unidentifiedPeers: 0, topOffenders: [OFFENDER] };
    expect(summaryAnswerSchema.parse(answer)).toEqual({ since: answer.since, until: answer.until, allow: 7, wouldDeny: 4, unidentifiedPeers: 0, topOffenders: [OFFENDER] });
  });

  it.each([
    { title: 'an offender without per-state counts (an older broker)', offender: { ...OFFENDER, states: undefined }, ok: true },
    { title: 'an unknown state', offender: { ...OFFENDER, states: { reset: 1 } }, ok: false },
    { title: 'a port out of range', offender: { ...OFFENDER, port: 70000 }, ok: false },
    { title: 'an unknown protocol', offender: { ...OFFENDER, protocol: 'ICMP' }, ok: false },
  ])('$title: read $ok', ({ offender, ok }) => {
    const r = summaryAnswerSchema.safeParse({ since: '', until: '', allow: 0, wouldDeny: 1, unidentifiedPeers: 0, topOffenders: [offender] });
    expect(r.success).toBe(ok);
    if (r.success) expect(r.data.topOffenders[0]?.states).toEqual({});
  });
});
