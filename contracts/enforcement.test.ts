/**
 * One enforcement contract: the rows the broker reports are the rows `verify` renders, and the
 * part the evaluator's Events read is picked from the same schema.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { enforcementMismatchesSchema, enforcementRowSchema, type EnforcementMismatch, type EnforcementReport, type EnforcementRow } from './enforcement.js';

const ROW: EnforcementRow = {
  policy: { uid: 'u-1', namespace: 'prod', name: 'db-ingress', generation: 2 },
  direction: 'Ingress',
  src: { namespace: 'prod', pod: 'api-1', ip: '10.0.0.7' },
  dst: { namespace: 'prod', pod: 'db-0', ip: '10.0.0.9' },
  port: 5432,
  protocol: 'TCP',
  predicted: 'Deny',
  observed: { established: 2, attempt: 0, refused: 0, seen: 0 },
  outcome: 'NotEnforced',
  explanation: 'Denied by db-ingress, yet 2 conversations got through.',
  firstSeen: '2026-03-01T09:00:00.000Z',
  lastSeen: '2026-03-01T10:00:00.000Z',
};

describe('the enforcement contract', () => {
  it('reads every row of a report as a mismatch for the Events', () => {
    expectTypeOf<EnforcementRow>().toExtend<EnforcementMismatch>();
    expectTypeOf<EnforcementReport>().toExtend<z.input<typeof enforcementMismatchesSchema>>();
    expect(enforcementRowSchema.parse(ROW)).toEqual(ROW);
    const report: EnforcementReport = { since: ROW.firstSeen, until: ROW.lastSeen, rows: [ROW], truncated: false };
    const mismatch: EnforcementMismatch = { policy: ROW.policy, direction: 'Ingress', src: ROW.src, dst: ROW.dst, port: 5432, protocol: 'TCP', predicted: 'Deny', outcome: 'NotEnforced', explanation: ROW.explanation, lastSeen: ROW.lastSeen };
    expect(enforcementMismatchesSchema.parse(report)).toEqual({ rows: [mismatch], truncated: false });
  });

  it.each([
    { title: 'an unknown outcome', row: { ...ROW, outcome: 'Maybe' } },
    { title: 'an unknown prediction', row: { ...ROW, predicted: 'Drop' } },
    { title: 'a negative generation', row: { ...ROW, policy: { ...ROW.policy, generation: -1 } } },
  ])('refuses $title', ({ row }) => {
    expect(enforcementMismatchesSchema.safeParse({ rows: [row], truncated: false }).success).toBe(false);
  });
});
