/**
 * The ReplayStore's behaviour, as one suite run on PGlite (replay-pglite.test.ts) and PostgreSQL
 * (replay-pg.int.test.ts): idempotent creation, exclusive leases, and the counting rules of a page
 * write (store/replay-pages.ts) against live verdicts, live claims and the namespace prefilter.
 */
// A test suite in all but name (imported by the *.test.ts files that run it).
/* eslint-disable @typescript-eslint/no-non-null-assertion */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, observation, verdict } from '../testing/fixtures.js';
import type { ReplayJob, ReplayPolicy } from '../../../contracts/replay.js';
import { LostReplayError, type ReplayFlow, type ReplayJudgement, type ReplayLease, type ReplayPage } from './replay-types.js';
import type { NewVerdict, StoredVerdict, Store } from './types.js';

export const T0 = new Date('2026-03-01T10:30:00.000Z');
const LEASE = 60_000;

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const policy = (uid: string, generation: number, over: Partial<ReplayPolicy> = {}): ReplayPolicy =>
  ({ uid, kind: 'AuditNetworkPolicy', namespace: 'frontend', name: uid, generation, ...over });

const liveVerdict = (uid: string, generation: number): NewVerdict =>
  verdict({ policy: { ...policy(uid, generation), kind: 'AuditNetworkPolicy' } });

async function verdictsOf(store: Store, uid: string, generation: number): Promise<StoredVerdict[]> {
  const out: StoredVerdict[] = [];
  for (let before: number | undefined, more = true; more; ) {
    const p = await store.listVerdicts({ limit: 1000, beforeId: before });
    out.push(...p.verdicts.filter((v) => v.policy.uid === uid && v.policy.generation === generation));
    before = p.nextBeforeId ?? undefined;
    more = before !== undefined;
  }
  return out;
}

/** Observations counted for one policy generation, per destination port (each test's flows differ by port). */
async function countsAt(store: Store, uid: string, generation: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const v of await verdictsOf(store, uid, generation)) out.set(v.port, (out.get(v.port) ?? 0) + v.count);
  return out;
}

/** Flow row ids by destination port, in the window [since, until). */
async function flowIds(store: Store, since: string, until: string): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  const page = await store.listFlows({ since: new Date(since), until: new Date(until), limit: 5000 });
  for (const f of page.flows) out.set(f.dst.port, [...(out.get(f.dst.port) ?? []), f.id]);
  return out;
}

const judgeAll = (flows: readonly ReplayFlow[], verdict: 'Allow' | 'WouldDeny', reason = 'replayed'): ReplayJudgement[] =>
  flows.map((f) => ({ key: f.key, verdict: { verdict, reason } }));

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
    const readPage = async (job: ReplayJob, cursor: number, settling = false): Promise<ReplayPage> => {
      const slot = await store.replays.nextSlot(job, cursor);
      if (slot === undefined) throw new Error(`no slot at or after ${cursor}`);
      return store.replays.readSlot(job, slot, { now: T0, settling });
    };
    const readRows = (job: ReplayJob, ids: number[]) => store.replays.readRows(job, ids, { now: T0, settling: false });

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
      await store.replays.finish(l!, 'Superseded', later, 'evaluator holds generation 0');
      // A lagging evaluator replica answered 409: asked for again, the job runs again too.
      const third = await store.replays.create({ policy: policy('l1', 1), since: T0 }, later);
      expect([third.created, third.job.id, third.job.state, third.job.error]).toEqual([false, job.id, 'Running', undefined]);
      const last = await store.replays.claim(later, LEASE);
      await store.replays.finish(last!, 'Complete', later);
      // A Complete job is returned as it is.
      expect((await store.replays.create({ policy: policy('l1', 1), since: T0 }, later)).job.state).toBe('Complete');
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
      const page = await readPage(lease!.job, 0);
      // A and D wait for their claim; C owes nothing: only B and F are asked about.
      const port = new Map(page.flows.map((r) => [r.port, r]));
      expect([...port.keys()].sort()).toEqual([9002, 9006]);
      expect([port.get(9002)!.judged, port.get(9006)!.judged]).toEqual([3, 5]);
      expect(page.tally.claimed).toHaveLength(2);
      expect(page.rows).toBe(5);
      const ids = await flowIds(store, '2026-03-01T09:00:00Z', '2026-03-01T10:00:00Z');
      const id = (p: number): number => ids.get(p)![0]!;
      expect([page.from, page.to]).toEqual([Date.parse('2026-03-01T09:10:00Z'), Date.parse('2026-03-01T09:20:00Z')]);
      const w = await store.replays.writePage(lease!, {
        scope: { kind: 'slot', from: page.from, to: page.to }, tally: page.tally, judgements: judgeAll(page.flows, 'WouldDeny'), cursor: page.to, scanned: page.rows,
      }, T0, LEASE);
      expect(w.revisit).toEqual([id(9001), id(9004)]);
      expect(w.inserted).toBe(2); // B (3 owed) and F (5 owed); C owes nothing
      expect(lease!.retry).toEqual([id(9001), id(9004)]);

      // The live claim comes back, judged with the old generation: the replay's next visit counts it.
      await store.completeClaim(inFlight, inFlight.flows.map((c) => ({ flowId: c.flow.id, verdicts: [liveVerdict('w1', 1)] })), T0);
      const again = await readRows(lease!.job, lease!.retry);
      expect(again.flows.map((f) => [f.port, f.judged]).sort()).toEqual([[9001, 5], [9004, 4]]);
      const w2 = await store.replays.writePage(lease!, {
        scope: { kind: 'ids', ids: lease!.retry }, tally: again.tally, judgements: judgeAll(again.flows, 'Allow'), cursor: lease!.cursor, scanned: 0,
      }, T0, LEASE);
      expect([w2.inserted, w2.revisit, lease!.retry]).toEqual([2, [], []]);
      const counted = await countsAt(store, 'w1', 2);
      expect(counted).toEqual(new Map([[9001, 5], [9002, 3], [9003, 3], [9004, 4], [9006, 5]]));
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
      const page = await readPage(lease!.job, 0, true);
      const a = page.flows.find((r) => r.port === 9101)!;
      expect(a.judged).toBe(2);
      const ids = await flowIds(store, '2026-03-01T09:20:00Z', '2026-03-01T09:30:00Z');
      const [idA, idB] = [ids.get(9101)![0]!, ids.get(9102)![0]!];
      // Only A judged by this page: B owes 2 and was not judged, so it is listed too. A, settling with
      // pending observations, is stored as its own row (flow_id set), so the next visit stores only the rest.
      const w = await store.replays.writePage(lease!, {
        scope: { kind: 'slot', from: page.from, to: page.to }, tally: page.tally, judgements: judgeAll([a], 'Allow', 'r'), cursor: page.to, scanned: 2,
      }, T0, LEASE);
      expect([w.inserted, w.revisit]).toEqual([1, [idA, idB].sort((x, y) => x - y)]);
      expect((await verdictsOf(store, 's1', 2)).map((v) => [v.flowId, v.count])).toEqual([[idA, 2]]);
      const c1 = await store.claimPending(1000, T0, LEASE);
      await store.completeClaim(c1, c1.flows.map((c) => ({ flowId: c.flow.id, verdicts: [liveVerdict('s1', 1)] })), T0);
      const again = await readRows(lease!.job, lease!.retry);
      const w2 = await store.replays.writePage(lease!, {
        scope: { kind: 'ids', ids: lease!.retry }, tally: again.tally, judgements: judgeAll(again.flows, 'Allow', 'r'), cursor: lease!.cursor, scanned: 0,
      }, T0, LEASE);
      expect([w2.inserted, w2.revisit]).toEqual([2, []]);
      expect(await countsAt(store, 's1', 2)).toEqual(new Map([[9101, 3], [9102, 2]]));
      await store.replays.finish(lease!, 'Complete', T0);
    });

    it('reads a flow seen in many minutes as one distinct flow and stores one verdict row per ten-minute bucket', async () => {
      // One stamped flow in minutes 11:00-11:12 (13 rows), and an unstamped one in two minutes (judged per minute).
      const minute = (m: number): string => new Date(Date.parse('2026-03-01T11:00:30.000Z') + m * 60_000).toISOString();
      const stamped = Array.from({ length: 13 }, (_, m) => observation({ at: minute(m), count: 2, dst: { ...observation().dst, port: 9201 } }));
      const bare = [0, 1].map((m) => observation({ at: minute(m), count: 1, dst: { ip: '10.9.9.9', port: 9202, kind: 'external' } }));
      await store.ingest(batch([...stamped, ...bare]), T0);
      const c0 = await store.claimPending(1000, T0, LEASE);
      await store.completeClaim(c0, c0.flows.map((c) => ({ flowId: c.flow.id, verdicts: [] })), T0);
      const { job } = await store.replays.create({ policy: policy('a1', 2), since: new Date('2026-03-01T11:00:00Z') }, new Date('2026-03-01T11:20:00Z'));
      let lease = await store.replays.claim(T0, LEASE);
      while (lease!.job.id !== job.id) lease = await store.replays.claim(T0, LEASE);
      const page = await readPage(lease!.job, 0);
      expect([page.rows, page.from]).toEqual([12, Date.parse('2026-03-01T11:00:00Z')]);
      const byPort = page.flows.map((f) => [f.port, f.judged, f.lastSeen]).sort();
      expect(byPort).toEqual([[9201, 20, minute(9)], [9202, 1, minute(0)], [9202, 1, minute(1)]]);
      const write = (p: ReplayPage) => store.replays.writePage(lease!, {
        scope: { kind: 'slot', from: p.from, to: p.to }, tally: p.tally, judgements: judgeAll(p.flows, 'WouldDeny'), cursor: p.to, scanned: p.rows,
      }, T0, LEASE);
      const w = await write(page);
      expect([w.inserted, w.revisit, lease!.cursor]).toEqual([2, [], page.to]);
      const next = await readPage(lease!.job, lease!.cursor);
      expect([next.rows, next.from, next.flows.map((f) => [f.port, f.judged])]).toEqual([3, page.to, [[9201, 6]]]);
      expect((await write(next)).inserted).toBe(1);
      expect(await store.replays.nextSlot(lease!.job, next.to)).toBeUndefined();
      const rows = (await verdictsOf(store, 'a1', 2)).map((v) => [v.port, v.count, v.observedAt, v.flowId]).sort();
      expect(rows).toEqual([[9201, 20, minute(9), 0], [9201, 6, minute(12), 0], [9202, 2, minute(1), 0]]);
      const s = await store.summary({ uid: 'a1', generation: 2 }, 5);
      expect([s.allow, s.wouldDeny]).toEqual([0, 28]);
      await store.replays.finish(lease!, 'Complete', T0);
    });

    it('judges a flow once whatever its connection states, and stores a verdict row per state', async () => {
      const at = '2026-03-01T12:00:30.000Z';
      const dst = { ...observation().dst, port: 9301 };
      await store.ingest(batch([observation({ at, count: 3, dst }), observation({ at, count: 2, dst, state: 'refused' })]), T0);
      const c0 = await store.claimPending(1000, T0, LEASE);
      await store.completeClaim(c0, c0.flows.map((c) => ({ flowId: c.flow.id, verdicts: [] })), T0);
      const { job } = await store.replays.create({ policy: policy('states-1', 1), since: new Date('2026-03-01T12:00:00Z') }, new Date('2026-03-01T12:05:00Z'));
      let lease = await store.replays.claim(T0, LEASE);
      while (lease!.job.id !== job.id) lease = await store.replays.claim(T0, LEASE);
      const page = await readPage(lease!.job, 0);
      expect(page.flows.map((f) => [f.port, f.judged])).toEqual([[9301, 5]]);
      await store.replays.writePage(lease!, {
        scope: { kind: 'slot', from: page.from, to: page.to }, tally: page.tally, judgements: judgeAll(page.flows, 'WouldDeny'), cursor: page.to, scanned: page.rows,
      }, T0, LEASE);
      const rows = (await verdictsOf(store, 'states-1', 1)).map((v) => [v.state, v.count]).sort();
      expect(rows).toEqual([['established', 3], ['refused', 2]]);
      await store.replays.finish(lease!, 'Complete', T0);
    });
  });
}
