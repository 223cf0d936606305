/**
 * The ReplayStore's behaviour, as one suite run on PGlite (replay-pglite.test.ts) and PostgreSQL
 * (replay-pg.int.test.ts): idempotent creation, exclusive leases, and the counting rules of a page
 * write (store/replay-pages.ts) against live verdicts, live claims and the namespace prefilter.
 */
// A test suite in all but name (imported by the *.test.ts files that run it).
/* eslint-disable @typescript-eslint/no-non-null-assertion */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, observation, verdict } from '../testing/fixtures.js';
import { LostReplayError, type ReplayLease, type ReplayPolicy } from './replay-types.js';
import type { NewVerdict, Store } from './types.js';

export const T0 = new Date('2026-03-01T10:30:00.000Z');
const LEASE = 60_000;

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const policy = (uid: string, generation: number, over: Partial<ReplayPolicy> = {}): ReplayPolicy =>
  ({ uid, kind: 'AuditNetworkPolicy', namespace: 'frontend', name: uid, generation, ...over });

const liveVerdict = (uid: string, generation: number): NewVerdict =>
  verdict({ policy: { ...policy(uid, generation), kind: 'AuditNetworkPolicy' } });

async function countsAt(store: Store, uid: string, generation: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (let before: number | undefined, more = true; more; ) {
    const p = await store.listVerdicts({ limit: 1000, beforeId: before });
    for (const v of p.verdicts) {
      if (v.policy.uid === uid && v.policy.generation === generation) out.set(v.flowId, (out.get(v.flowId) ?? 0) + v.count);
    }
    before = p.nextBeforeId ?? undefined;
    more = before !== undefined;
  }
  return out;
}

export function replayContract(engine: string, open: StoreFactory): void {
  describe(`ReplayStore (${engine})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
    }, 120_000);
    afterAll(async () => {
      await cleanup();
    });

    it('creates a job once per uid and generation; a newer generation supersedes a running older one', async () => {
      const since = new Date(T0.getTime() - 3_600_000);
      const a = await store.replays.create({ policy: policy('c1', 1), since }, T0);
      const again = await store.replays.create({ policy: policy('c1', 1), since: new Date(0) }, T0);
      expect([a.created, again.created, again.job.id, again.job.since]).toEqual([true, false, a.job.id, since.toISOString()]);
      expect(a.job).toMatchObject({ state: 'Running', until: T0.toISOString(), flowsScanned: 0, flowsTotal: null, verdicts: 0 });
      const b = await store.replays.create({ policy: policy('c1', 2), since }, T0);
      expect(b.created).toBe(true);
      expect(await store.replays.get(a.job.id)).toMatchObject({ state: 'Superseded', error: 'generation 2 was requested' });
      expect(await store.replays.get(999_999)).toBeUndefined();
    });

    it('leases a job to one worker at a time; an expired lease is taken over and the old holder can write nothing', async () => {
      const { job } = await store.replays.create({ policy: policy('l1', 1), since: T0 }, T0);
      const mine: ReplayLease[] = [];
      for (let l = await store.replays.claim(T0, LEASE); l !== undefined; l = await store.replays.claim(T0, LEASE)) mine.push(l);
      const first = mine.find((l) => l.job.id === job.id)!;
      expect(first.cursor).toBe(0);
      const later = new Date(T0.getTime() + LEASE + 1);
      const taken = await store.replays.claim(later, LEASE);
      expect(taken?.job.id).toBe(mine[0]!.job.id); // the oldest expired job comes first
      const all = [taken!];
      for (let l = await store.replays.claim(later, LEASE); l !== undefined; l = await store.replays.claim(later, LEASE)) all.push(l);
      expect(all.map((l) => l.job.id).sort()).toEqual(mine.map((l) => l.job.id).sort());
      await expect(store.replays.renew(first, later, LEASE)).rejects.toBeInstanceOf(LostReplayError);
      const ours = all.find((l) => l.job.id === job.id)!;
      await store.replays.finish(ours, 'Failed', later, 'evaluator answered 403');
      expect(await store.replays.get(job.id)).toMatchObject({ state: 'Failed', error: 'evaluator answered 403' });
      for (const l of all.filter((x) => x !== ours)) await store.replays.finish(l, 'Complete', later);
      // Asked for again, a Failed job runs again.
      const again = await store.replays.create({ policy: policy('l1', 1), since: T0 }, later);
      expect([again.created, again.job.state, again.job.error]).toEqual([false, 'Running', undefined]);
      const l = await store.replays.claim(later, LEASE);
      await store.replays.finish(l!, 'Complete', later);
    });

    it('owes each row what the live path judged minus what this generation already counted; claimed rows wait', async () => {
      const at = '2026-03-01T09:10:00.000Z';
      const o = (port: number, count: number, over = {}) => observation({ at, count, dst: { ...observation().dst, port }, ...over });
      // A, B judged live at generation 1; C already at generation 2.
      await store.ingest(batch([o(9001, 3), o(9002, 3), o(9003, 3)]), T0);
      const c0 = await store.claimPending(1000, T0, LEASE);
      await store.completeClaim(c0, c0.flows.map((c) => ({ flowId: c.flow.id, verdicts: [liveVerdict('w1', c.flow.dst.port === 9003 ? 2 : 1)] })), T0);
      // More traffic for A, and a new flow D; both are claimed by a live worker that has not answered yet.
      // E is egress from another namespace: the prefilter leaves it out; F is ingress into frontend, unstamped source.
      await store.ingest(batch([o(9001, 2), o(9004, 4)]), T0);
      const inFlight = await store.claimPending(1000, T0, LEASE);
      await store.ingest(batch([o(9005, 1, { src: { ...observation().src, namespace: 'other' } }), o(9006, 5, { direction: 'Ingress', dst: { ...observation().dst, namespace: 'frontend', port: 9006 } })]), T0);
      const f0 = await store.claimPending(1000, T0, LEASE);
      await store.completeClaim(f0, f0.flows.map((c) => ({ flowId: c.flow.id, verdicts: [] })), T0);

      const { job } = await store.replays.create({ policy: policy('w1', 2), since: new Date('2026-03-01T09:00:00Z') }, T0);
      let lease = await store.replays.claim(T0, LEASE);
      while (lease!.job.id !== job.id) lease = await store.replays.claim(T0, LEASE);
      expect(await store.replays.countWindow(lease!)).toBe(5);
      const rows = await store.replays.readPage(lease!.job, 0, 100);
      const port = new Map(rows.map((r) => [r.port, r]));
      expect([...port.keys()].sort()).toEqual([9001, 9002, 9003, 9004, 9006]);
      expect(port.get(9001)!.judged).toBe(3);
      const judgements = rows.map((r) => ({ flowId: r.id, verdict: { verdict: 'WouldDeny' as const, reason: 'replayed' } }));
      const w = await store.replays.writePage(lease!, { scope: { kind: 'range', from: 1, to: rows.at(-1)!.id }, judgements, cursor: rows.at(-1)!.id, scanned: rows.length, settling: false }, T0, LEASE);
      const id = (p: number): number => port.get(p)!.id;
      expect(w.revisit).toEqual([id(9001), id(9004)]);
      expect(w.inserted).toBe(2); // B (3 owed) and F (5 owed); C owes nothing
      expect(lease!.retry).toEqual([id(9001), id(9004)]);

      // The live claim comes back, judged with the old generation: the replay's next visit counts it.
      await store.completeClaim(inFlight, inFlight.flows.map((c) => ({ flowId: c.flow.id, verdicts: [liveVerdict('w1', 1)] })), T0);
      const again = await store.replays.readRows(lease!.job, lease!.retry);
      const w2 = await store.replays.writePage(lease!, {
        scope: { kind: 'ids', ids: lease!.retry }, judgements: again.map((r) => ({ flowId: r.id, verdict: { verdict: 'Allow', reason: 'replayed' } })),
        cursor: lease!.cursor, scanned: 0, settling: false,
      }, T0, LEASE);
      expect([w2.inserted, w2.revisit, lease!.retry]).toEqual([2, [], []]);
      const counted = await countsAt(store, 'w1', 2);
      const expected = new Map<number, number>([[id(9001), 5], [id(9002), 3], [id(9003), 3], [id(9004), 4], [id(9006), 5]]);
      expect(counted).toEqual(expected);
      expect(await store.replays.get(job.id)).toMatchObject({ flowsScanned: 5, flowsTotal: 5, verdicts: 4 });
      await store.replays.finish(lease!, 'Complete', T0);
    });

    it('while settling, visits rows with pending observations again; a flow the page did not judge that owes is listed', async () => {
      const at = '2026-03-01T09:20:00.000Z';
      const o = (port: number, count: number) => observation({ at, count, dst: { ...observation().dst, port } });
      await store.ingest(batch([o(9101, 2), o(9102, 2)]), T0);
      const c0 = await store.claimPending(1000, T0, LEASE);
      await store.completeClaim(c0, c0.flows.map((c) => ({ flowId: c.flow.id, verdicts: [liveVerdict('s1', 1)] })), T0);
      await store.ingest(batch([o(9101, 1)]), T0); // pending, unclaimed
      const { job } = await store.replays.create({ policy: policy('s1', 2), since: new Date('2026-03-01T09:20:00Z') }, T0);
      let lease = await store.replays.claim(T0, LEASE);
      while (lease!.job.id !== job.id) lease = await store.replays.claim(T0, LEASE);
      const rows = await store.replays.readPage(lease!.job, 0, 100);
      const a = rows.find((r) => r.port === 9101)!;
      const b = rows.find((r) => r.port === 9102)!;
      // Only A judged by this page: B owes 2 and was not judged, so it is listed too.
      const w = await store.replays.writePage(lease!, {
        scope: { kind: 'range', from: 1, to: b.id }, judgements: [{ flowId: a.id, verdict: { verdict: 'Allow', reason: 'r' } }],
        cursor: b.id, scanned: 2, settling: true,
      }, T0, LEASE);
      expect([w.inserted, w.revisit]).toEqual([1, [a.id, b.id].sort((x, y) => x - y)]);
      expect((await countsAt(store, 's1', 2)).get(a.id)).toBe(2);
      await store.replays.finish(lease!, 'Complete', T0);
    });
  });
}

