/**
 * One replay contract for both sides: a job as the broker sends it reads as the evaluator's
 * progress, field for field, and a request the evaluator can build is one the broker takes.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { replayJobSchema, replayProgressSchema, replayRequestSchema, type ReplayJob, type ReplayPolicy } from './replay.js';

const POLICY: ReplayPolicy = { uid: 'u-1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'web', generation: 3 };
const JOB: ReplayJob = {
  id: 7,
  policy: POLICY,
  since: '2026-03-01T09:00:00.000Z',
  until: '2026-03-01T10:00:00.000Z',
  state: 'Complete',
  flowsScanned: 120,
  flowsTotal: 120,
  verdicts: 40,
};

describe('the replay contract', () => {
  it('reads every job the broker sends as progress, id as text', () => {
    expectTypeOf<ReplayJob>().toExtend<z.input<typeof replayProgressSchema>>();
    expect(replayJobSchema.parse(JOB)).toEqual(JOB);
    expect(replayProgressSchema.parse(JOB)).toEqual({ id: '7', state: 'Complete', since: JOB.since, until: JOB.until, flowsScanned: 120, flowsTotal: 120, verdicts: 40 });
    expect(replayProgressSchema.parse({ ...JOB, state: 'Failed', error: 'evaluator refused', flowsTotal: null })).toMatchObject({ state: 'Failed', error: 'evaluator refused', flowsTotal: null });
  });

  it.each([
    { title: 'a job of a broker that sends only id and state', job: { id: 'r-1', state: 'Running' }, ok: true },
    { title: 'an unknown state', job: { ...JOB, state: 'Paused' }, ok: false },
    { title: 'a negative count', job: { ...JOB, verdicts: -1 }, ok: false },
    { title: 'no id', job: { state: 'Running' }, ok: false },
  ])('progress of $title: read $ok', ({ job, ok }) => {
    expect(replayProgressSchema.safeParse(job).success).toBe(ok);
  });

  it.each([
    { title: 'a namespaced policy', body: { policy: POLICY, since: '2026-03-01T09:00:00Z' }, field: undefined },
    { title: 'a cluster policy', body: { policy: { ...POLICY, kind: 'AuditClusterNetworkPolicy', namespace: '' }, since: '2026-03-01T09:00:00Z' }, field: undefined },
    { title: 'a cluster policy with a namespace', body: { policy: { ...POLICY, kind: 'AuditClusterNetworkPolicy' }, since: '2026-03-01T09:00:00Z' }, field: 'policy.namespace' },
    { title: 'an enforced NetworkPolicy', body: { policy: { ...POLICY, kind: 'NetworkPolicy' }, since: '2026-03-01T09:00:00Z' }, field: 'policy.kind' },
    { title: 'generation 0', body: { policy: { ...POLICY, generation: 0 }, since: '2026-03-01T09:00:00Z' }, field: 'policy.generation' },
    { title: 'a day that does not exist', body: { policy: POLICY, since: '2026-02-30T09:00:00Z' }, field: 'since' },
  ])('request for $title: refused at $field', ({ body, field }) => {
    const r = replayRequestSchema.safeParse(body);
    expect(r.success ? undefined : r.error.issues[0]?.path.join('.')).toBe(field);
  });
});
