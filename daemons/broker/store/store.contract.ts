/**
 * The behaviour every Store must have, as one suite run against PostgreSQL
 * (pg-store.int.test.ts) and embedded PGlite (pglite-store.test.ts). Times are fixed in March
 * 2026 and every store is opened "at" T0, so partitions and retention are deterministic.
 */
// A test suite in all but name (it is imported by the two *.test.ts files that run it), so it gets
// the test files' lint rules.
/* eslint-disable @typescript-eslint/no-non-null-assertion */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, observation, verdict } from '../testing/fixtures.js';
import type { NewReplay } from './replay-types.js';
import type { NewVerdict, RetentionConfig, Store, StoredFlow, StoredVerdictTally, VerdictFilter } from './types.js';
import { UnknownCursorError } from './verdict-reads.js';

export const T0 = new Date('2026-03-01T10:30:00.000Z');

/** Opens a fresh store at T0, with DEFAULT_RETENTION unless given. */
export type StoreFactory = (retention?: RetentionConfig) => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/** Claims every pending flow and files `verdictsFor(flow)` for each; returns the verdicts stored. */
async function judgeAll(store: Store, verdictsFor: (flow: StoredFlow) => NewVerdict[]): Promise<number> {
  const claim = await store.claimPending(1000, T0, 60_000);
  const judgements = claim.flows.map((c) => ({ flowId: c.flow.id, verdicts: verdictsFor(c.flow) }));
  return store.completeClaim(claim, judgements, T0);
}

export function storeContract(engine: string, open: StoreFactory): void {
  describe(`Store contract (${engine})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
    }, 120_000); // PGlite compiles its WebAssembly on start, slowly on a busy machine
    afterAll(async () => {
      await cleanup();
    });

    it('aggregates observations per flow key and minute; the source port is not part of the key', async () => {
      const r = await store.ingest(
        batch([
          observation({ at: '2026-03-01T09:00:01.000Z', count: 2 }),
          observation({ at: '2026-03-01T09:00:59.000Z', count: 3, src: { ...observation().src, port: 40999 } }),
          observation({ at: '2026-03-01T09:01:00.000Z' }), // next minute: a second row
          observation({ at: '2026-03-01T09:00:30.000Z', src: { ...observation().src, pod: 'web-2' } }), // other pod, same IP
        ]),
        T0,
      );
      expect(r).toEqual({ duplicate: false, observations: 4, rows: 3 });
      const page = await store.listFlows({ since: new Date('2026-03-01T09:00:00Z'), until: new Date('2026-03-01T09:02:00Z'), limit: 10 });
      const rows = page.flows.map((f) => [f.bucket, f.src.pod, f.count, f.firstSeen, f.lastSeen, f.src.port]);
      expect(rows).toEqual(
        expect.arrayContaining([
          ['2026-03-01T09:00:00.000Z', 'web-1', 5, '2026-03-01T09:00:01.000Z', '2026-03-01T09:00:59.000Z', 40999],
          ['2026-03-01T09:01:00.000Z', 'web-1', 1, '2026-03-01T09:01:00.000Z', '2026-03-01T09:01:00.000Z', 40001],
          ['2026-03-01T09:00:00.000Z', 'web-2', 1, '2026-03-01T09:00:30.000Z', '2026-03-01T09:00:30.000Z', 40001],
        ]),
      );
      expect(page.flows).toHaveLength(3);
    });

    it('adds to the existing row when a later batch repeats a flow in the same minute', async () => {
      const at = '2026-03-01T08:00:10.000Z';
      await store.ingest(batch([observation({ at, count: 4 })]), T0);
      await store.ingest(batch([observation({ at: '2026-03-01T08:00:50.000Z', count: 6 })]), T0);
      const page = await store.listFlows({ since: new Date('2026-03-01T08:00:00Z'), until: new Date('2026-03-01T08:01:00Z'), limit: 10 });
      expect(page.flows.map((f) => [f.count, f.firstSeen, f.lastSeen])).toEqual([[10, at, '2026-03-01T08:00:50.000Z']]);
    });

    it('treats different spellings of one IPv6 address as one flow', async () => {
      const v6 = (ip: string) => observation({ at: '2026-03-01T07:00:00.000Z', src: { ip, port: 1, kind: 'external' } });
      const r = await store.ingest(batch([v6('2001:db8::1'), v6('2001:DB8:0:0::1'), v6('2001:0db8::0001')]), T0);
      expect(r.rows).toBe(1);
      const page = await store.listFlows({ since: new Date('2026-03-01T07:00:00Z'), until: new Date('2026-03-01T07:01:00Z'), limit: 10 });
      expect(page.flows.map((f) => [f.src.ip, f.count, f.src.namespace])).toEqual([['2001:db8::1', 3, undefined]]);
    });

    it('stores a re-sent batch once, also when the retries race each other', async () => {
      const b = batch([observation({ at: '2026-03-01T06:00:00.000Z', count: 7 })]);
      const results = await Promise.all([1, 2, 3, 4].map(() => store.ingest(b, T0)));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect((await store.ingest(b, T0)).duplicate).toBe(true);
      // The same batch id from another node is another batch.
      expect((await store.ingest({ ...b, node: 'node-b' }, T0)).duplicate).toBe(false);
      const page = await store.listFlows({ since: new Date('2026-03-01T06:00:00Z'), until: new Date('2026-03-01T06:01:00Z'), limit: 10 });
      expect(page.flows.map((f) => f.count)).toEqual([14]);
    });

    it('merges concurrent batches that share flows, and answers each batch for itself', async () => {
      const at = '2026-03-01T06:30:00.000Z';
      const shared = (count: number) => observation({ at, count, dst: { ...observation().dst, port: 4444 } });
      const own = (port: number) => observation({ at, dst: { ...observation().dst, port } });
      const batches = [1, 2, 3, 4, 5].map((i) => batch([shared(i), own(5000 + i)]));
      const results = await Promise.all([...batches, batches[0]!].map((b) => store.ingest(b, T0)));
      // The two copies of batch 1 race: whichever commits first stores it, the other is the duplicate.
      const [first, copy] = [results[0]!, results[5]!];
      expect([first.duplicate, copy.duplicate].sort()).toEqual([false, true]);
      const stored = first.duplicate ? copy : first;
      expect(results.slice(1, 5).map((r) => r.duplicate)).toEqual([false, false, false, false]);
      expect([stored, ...results.slice(1, 5)].map((r) => r.rows)).toEqual([2, 2, 2, 2, 2]);
      const page = await store.listFlows({ since: new Date(at), until: new Date('2026-03-01T06:31:00Z'), limit: 10 });
      const byPort = Object.fromEntries(page.flows.map((f) => [f.dst.port, f.count]));
      expect(byPort).toEqual({ 4444: 15, 5001: 1, 5002: 1, 5003: 1, 5004: 1, 5005: 1 });
    });

    it('pages flows by id with a cursor', async () => {
      const flows = Array.from({ length: 5 }, (_, i) => observation({ at: '2026-03-01T05:00:00.000Z', dst: { ...observation().dst, port: 1000 + i } }));
      await store.ingest(batch(flows), T0);
      const q = { since: new Date('2026-03-01T05:00:00Z'), until: new Date('2026-03-01T05:01:00Z'), limit: 2 };
      const p1 = await store.listFlows(q);
      const p2 = await store.listFlows({ ...q, afterId: p1.nextCursor! });
      const p3 = await store.listFlows({ ...q, afterId: p2.nextCursor! });
      expect([p1.flows.length, p2.flows.length, p3.flows.length, p3.nextCursor]).toEqual([2, 2, 1, null]);
      const ports = [...p1.flows, ...p2.flows, ...p3.flows].map((f) => f.dst.port).sort();
      expect(ports).toEqual([1000, 1001, 1002, 1003, 1004]);
    });

    it('judges each observation once: claims, completion, later additions and lost leases', async () => {
      // Everything ingested so far is pending; drain it without verdicts.
      for (let c = await store.claimPending(1000, T0, 60_000); c.flows.length > 0; c = await store.claimPending(1000, T0, 60_000)) {
        await store.completeClaim(c, c.flows.map((f) => ({ flowId: f.flow.id, verdicts: [] })), T0);
      }
      const at = '2026-03-01T10:10:00.000Z';
      await store.ingest(batch([observation({ at, count: 3, dst: { ...observation().dst, port: 9001 } })]), T0);
      const c1 = await store.claimPending(10, T0, 60_000);
      expect(c1.flows.map((c) => [c.flow.dst.port, c.pending])).toEqual([[9001, 3]]);
      // While claimed, the row is not offered again, and more traffic for it keeps accumulating.
      expect((await store.claimPending(10, T0, 60_000)).flows).toEqual([]);
      await store.ingest(batch([observation({ at, count: 2, dst: { ...observation().dst, port: 9001 } })]), T0);
      const told: StoredVerdictTally[][] = [];
      const tell = (t: readonly StoredVerdictTally[]): void => {
        told.push([...t]);
      };
      const stored = await store.completeClaim(c1, [{ flowId: c1.flows[0]!.flow.id, verdicts: [verdict({ name: 'claims' })] }], T0, tell);
      expect(stored).toBe(1);
      // Told what was committed, with the conversations it stood for (the claim's pending count).
      expect(told.map((t) => t.map((x) => [x.verdict.policy.name, x.verdict.verdict, x.count]))).toEqual([[['claims', 'WouldDeny', 3]]]);
      // Only the 2 observations added during the claim are still pending.
      const c2 = await store.claimPending(10, T0, 60_000);
      expect(c2.flows.map((c) => c.pending)).toEqual([2]);
      // c2's lease expires and c3 takes the row over: c2's late completion must store nothing.
      const later = new Date(T0.getTime() + 120_000);
      const c3 = await store.claimPending(10, later, 60_000);
      expect(c3.flows.map((c) => c.pending)).toEqual([2]);
      expect(await store.completeClaim(c2, [{ flowId: c2.flows[0]!.flow.id, verdicts: [verdict({ name: 'claims' })] }], T0, tell)).toBe(0);
      expect(told).toHaveLength(1); // nothing stored, nothing told
      // Released without judgement: still pending.
      await store.releaseClaim(c3);
      const c4 = await store.claimPending(10, later, 60_000);
      expect(c4.flows.map((c) => c.pending)).toEqual([2]);
      expect(await store.completeClaim(c4, [{ flowId: c4.flows[0]!.flow.id, verdicts: [verdict({ name: 'claims' })] }], T0)).toBe(1);
      expect((await store.claimPending(10, later, 60_000)).flows).toEqual([]);
      const page = await store.listVerdicts({ policy: 'claims', limit: 10 });
      expect(page.verdicts.map((v) => [v.count, v.observedAt, v.evaluatedAt])).toEqual([
        [2, at, T0.toISOString()],
        [3, at, T0.toISOString()],
      ]);
    });

    it('lists verdicts newest first, filtered, in pages joined by before_id', async () => {
      const times = ['2026-03-01T04:00:00.000Z', '2026-03-01T04:01:00.000Z', '2026-03-01T04:02:00.000Z'];
      await store.ingest(batch(times.map((at, i) => observation({ at, dst: { ...observation().dst, port: 7000 + i } }))), T0);
      await judgeAll(store, (f) => [
        verdict({ name: 'paging', verdict: f.dst.port === 7001 ? 'Allow' : 'WouldDeny' }),
        verdict({ name: 'paging', ns: '', policy: { uid: 'c', kind: 'AuditClusterNetworkPolicy', namespace: '', name: 'paging', generation: 2 } }),
        verdict({ name: 'paging', ns: 'other', direction: 'Ingress' }),
      ]);
      const all = await store.listVerdicts({ policy: 'paging', limit: 100 });
      expect(all.verdicts).toHaveLength(9);
      const keys = all.verdicts.map((v) => [v.observedAt, v.id]);
      const sorted = [...keys].sort((a, b) => (a[0]! < b[0]! ? 1 : a[0]! > b[0]! ? -1 : (b[1] as number) - (a[1] as number)));
      expect(keys).toEqual(sorted);
      expect(all.nextBeforeId).toBeNull();

      const cluster = await store.listVerdicts({ policy: 'paging', namespace: '', limit: 100 });
      expect(cluster.verdicts.map((v) => [v.policy.kind, v.policy.generation])).toEqual(Array(3).fill(['AuditClusterNetworkPolicy', 2]));
      const prodDeny = await store.listVerdicts({ policy: 'paging', namespace: 'prod', verdict: 'WouldDeny', limit: 100 });
      expect(prodDeny.verdicts.map((v) => v.observedAt)).toEqual([times[2], times[0]]);
      const ingress = await store.listVerdicts({ policy: 'paging', direction: 'Ingress', limit: 100 });
      expect(ingress.verdicts.map((v) => v.policy.namespace)).toEqual(['other', 'other', 'other']);
      const window = await store.listVerdicts({ policy: 'paging', since: new Date(times[1]!), until: new Date(times[2]!), limit: 100 });
      expect(window.verdicts.map((v) => v.observedAt)).toEqual(Array(3).fill(times[1]));

      const pages: number[][] = [];
      let before: number | undefined;
      do {
        const p = await store.listVerdicts({ policy: 'paging', limit: 4, beforeId: before });
        pages.push(p.verdicts.map((v) => v.id));
        before = p.nextBeforeId ?? undefined;
      } while (before !== undefined);
      expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
      expect(pages.flat()).toEqual(all.verdicts.map((v) => v.id));
      await expect(store.listVerdicts({ limit: 1, beforeId: 987_654_321 })).rejects.toBeInstanceOf(UnknownCursorError);
    });

    describe('the connection state of verdicts', () => {
      const rows = [[7101, 'established'], [7102, 'attempt'], [7103, 'refused'], [7104, 'refused']] as const;
      beforeAll(async () => {
        const at = '2026-03-01T04:30:00.000Z';
        await store.ingest(batch(rows.map(([port, state]) => observation({ at, state, dst: { ...observation().dst, port } }))), T0);
        await judgeAll(store, () => [verdict({ name: 'states' })]);
      });

      it('keeps the judged flow\'s state on each verdict', async () => {
        const all = await store.listVerdicts({ policy: 'states', limit: 100 });
        expect(all.verdicts.map((v) => [v.port, v.state]).sort()).toEqual(rows.map(([p, s]) => [p, s]));
      });

      it.each([
        { state: 'established' as const, ports: [7101] },
        { state: 'attempt' as const, ports: [7102] },
        { state: 'refused' as const, ports: [7103, 7104] },
        { state: 'seen' as const, ports: [] }, // no such flow: nothing, not every verdict
      ])('lists and streams only the verdicts of $state flows', async ({ state, ports }) => {
        const only = await store.listVerdicts({ policy: 'states', state, limit: 100 });
        expect(only.verdicts.map((v) => v.port).sort()).toEqual(ports);
        expect((await store.verdictsAfter(0, { policy: 'states', state }, 100)).map((v) => v.port).sort()).toEqual(ports);
      });
    });

    it('streams verdicts after an id, in id order, with the same filters', async () => {
      const start = await store.lastVerdictId();
      let woken = 0;
      const off = store.onVerdicts(() => (woken += 1));
      await store.ingest(batch([observation({ at: '2026-03-01T03:00:00.000Z' }), observation({ at: '2026-03-01T03:05:00.000Z' })]), T0);
      await judgeAll(store, (f) => [verdict({ name: 'stream', verdict: f.firstSeen.startsWith('2026-03-01T03:00') ? 'Allow' : 'WouldDeny' })]);
      off();
      expect(woken).toBe(1);
      const next = await store.verdictsAfter(start, { policy: 'stream' }, 10);
      expect(next.map((v) => v.verdict)).toEqual(['Allow', 'WouldDeny']);
      expect(next[0]!.id).toBeLessThan(next[1]!.id);
      expect(await store.verdictsAfter(start, { policy: 'stream', verdict: 'WouldDeny' }, 10)).toHaveLength(1);
      expect(await store.verdictsAfter(next[1]!.id, {}, 10)).toEqual([]);
      expect(await store.lastVerdictId()).toBe(next[1]!.id);
      // Bounded above, as the stream asks: up to and including upToId.
      expect((await store.verdictsAfter(start, { policy: 'stream' }, 10, next[0]!.id)).map((v) => v.id)).toEqual([next[0]!.id]);
    });

    it('summarises counts and the top offenders of a policy', async () => {
      const other = { ...observation().src, pod: 'web-9', ip: '10.0.1.9' };
      await store.ingest(
        batch([
          observation({ at: '2026-03-01T02:00:00.000Z', count: 5 }),
          observation({ at: '2026-03-01T02:00:00.000Z', count: 2, src: other }),
          observation({ at: '2026-03-01T02:00:00.000Z', count: 4, dst: { ...observation().dst, port: 443 } }),
        ]),
        T0,
      );
      await judgeAll(store, (f) => [verdict({ name: 'summary', verdict: f.dst.port === 443 ? 'Allow' : 'WouldDeny' })]);
      const s = await store.summary({ policy: 'summary', namespace: 'prod' }, 10);
      expect(s.allow).toBe(4);
      expect(s.wouldDeny).toBe(7);
      expect(s.topOffenders.map((o) => [o.src.pod, o.count])).toEqual([['web-1', 5], ['web-9', 2]]);
      expect(await store.summary({ policy: 'summary', namespace: 'nowhere' }, 10)).toEqual({ allow: 0, wouldDeny: 0, unidentifiedPeers: 0, topOffenders: [] });
    });

    it('splits each top offender\'s count by connection state, leaving out the states it has none of', async () => {
      const other = { ...observation().src, pod: 'web-9', ip: '10.0.1.9' };
      await store.ingest(
        batch([
          observation({ at: '2026-03-01T05:17:00.000Z', count: 5, state: 'refused' }),
          observation({ at: '2026-03-01T05:17:01.000Z', count: 2, state: 'attempt', src: { ...observation().src, port: 40002 } }),
          observation({ at: '2026-03-01T05:17:02.000Z', count: 1, state: 'established', src: { ...observation().src, port: 40003 } }),
          observation({ at: '2026-03-01T05:17:00.000Z', count: 3, src: other }),
        ]),
        T0,
      );
      await judgeAll(store, () => [verdict({ name: 'offender-states', verdict: 'WouldDeny' })]);
      const s = await store.summary({ policy: 'offender-states', namespace: 'prod' }, 10);
      expect(s.topOffenders.map((o) => [o.src.pod, o.count, o.states])).toEqual([
        ['web-1', 8, { refused: 5, attempt: 2, established: 1 }],
        ['web-9', 3, { established: 3 }],
      ]);
    });

    it('counts the observations whose peer has no pod but a private address (unidentifiedPeers)', async () => {
      // Counts are powers of two so the total says exactly which rows were counted.
      const bare = (ip: string) => ({ ip, port: 9000, kind: 'external' as const });
      const rows = [
        { count: 1, direction: 'Egress', dst: bare('10.9.9.9'), counted: true },
        { count: 2, direction: 'Egress', dst: bare('8.8.8.8'), counted: false }, // public: external, judged by ipBlock
        { count: 4, direction: 'Ingress', src: bare('192.168.3.4'), counted: true },
        { count: 8, direction: 'Ingress', dst: bare('10.9.9.8'), counted: false }, // the peer of Ingress is the source, which has a pod
        { count: 16, direction: 'Egress', dst: bare('fd00::7'), counted: true },
        { count: 32, direction: 'Egress', dst: bare('172.32.0.1'), counted: false }, // just outside 172.16/12
        { count: 64, direction: 'Egress', dst: bare('100.64.0.9'), counted: true },
        { count: 128, direction: 'Egress', dst: bare('172.31.255.1'), counted: true },
        { count: 256, direction: 'Egress', counted: false }, // both ends stamped
        { count: 512, direction: 'Ingress', src: bare('fe80::8c1:2ff:fe3a:4b5c'), counted: true }, // link-local: on the link, never external
      ] as const;
      await store.ingest(batch(rows.map((r) => observation({ at: '2026-03-01T04:00:00.000Z', count: r.count, ...('src' in r ? { src: r.src } : {}), ...('dst' in r ? { dst: r.dst } : {}) }))), T0);
      const direction = new Map<number, 'Ingress' | 'Egress'>(rows.map((r) => [r.count, r.direction]));
      await judgeAll(store, (f) => [verdict({ name: 'peers', verdict: 'Allow', direction: direction.get(f.count) ?? 'Egress' })]);
      const s = await store.summary({ policy: 'peers', namespace: 'prod' }, 10);
      expect(s.allow).toBe(1023);
      expect(s.unidentifiedPeers).toBe(rows.filter((r) => r.counted).reduce((n, r) => n + r.count, 0));
    });

    it('names an end the agent could not stamp after the pod the evaluator resolved, and no longer counts it as unidentified', async () => {
      const bare = (ip: string) => ({ ip, port: 9400, kind: 'external' as const });
      await store.ingest(batch([
        observation({ at: '2026-03-01T04:10:00.000Z', count: 3, dst: bare('10.9.9.1') }), // resolved to db-0
        observation({ at: '2026-03-01T04:10:00.000Z', count: 5, dst: bare('10.9.9.2') }), // nobody held it
      ]), T0);
      const claim = await store.claimPending(1000, T0, 60_000);
      const judgements = claim.flows.map((c) => ({
        flowId: c.flow.id,
        verdicts: [verdict({ name: 'resolved', verdict: 'WouldDeny', direction: 'Egress' })],
        resolved: {
          src: { namespace: 'ignored', pod: 'ignored' }, // the agent's stamp wins
          dst: c.flow.dst.ip === '10.9.9.1' ? { namespace: 'prod', pod: 'db-0' } : null,
        },
      }));
      await store.completeClaim(claim, judgements, T0);
      const page = await store.listVerdicts({ policy: 'resolved', limit: 10 });
      const seen = page.verdicts.map((v) => [v.dst.ip, v.dst.namespace ?? '', v.dst.pod ?? '', v.src.pod]).sort();
      expect(seen).toEqual([['10.9.9.1', 'prod', 'db-0', 'web-1'], ['10.9.9.2', '', '', 'web-1']]);
      expect((await store.summary({ policy: 'resolved', namespace: 'prod' }, 10)).unidentifiedPeers).toBe(5);
    });

    it('lists and streams only each policy\'s latest generation when asked (latestGeneration)', async () => {
      const start = await store.lastVerdictId();
      await store.ingest(batch([observation({ at: '2026-03-01T06:00:00.000Z', dst: { ...observation().dst, port: 7200 } })]), T0);
      const ref = (uid: string, generation: number): NewVerdict['policy'] => ({ uid, kind: 'AuditNetworkPolicy', namespace: 'gens', name: uid, generation });
      // edited: generation 1 would deny, the edit (2) allows; untouched: only generation 1; recreated: a new uid at 1.
      await judgeAll(store, () => [
        verdict({ policy: ref('edited', 1), verdict: 'WouldDeny' }),
        verdict({ policy: ref('edited', 2), verdict: 'Allow' }),
        verdict({ policy: ref('untouched', 1), verdict: 'WouldDeny' }),
        verdict({ policy: ref('recreated', 1), verdict: 'WouldDeny' }),
      ]);
      const key = (v: { policy: { uid: string; generation: number }; verdict: string }): string => `${v.policy.uid}@${v.policy.generation}:${v.verdict}`;
      const list = async (f: VerdictFilter): Promise<string[]> => (await store.listVerdicts({ namespace: 'gens', limit: 100, ...f })).verdicts.map(key).sort();
      expect(await list({})).toEqual(['edited@1:WouldDeny', 'edited@2:Allow', 'recreated@1:WouldDeny', 'untouched@1:WouldDeny']);
      expect(await list({ latestGeneration: true })).toEqual(['edited@2:Allow', 'recreated@1:WouldDeny', 'untouched@1:WouldDeny']);
      // The latest generation is the policy's, not the filtered rows': the edit has no WouldDeny, so none of its policy shows.
      expect(await list({ latestGeneration: true, verdict: 'WouldDeny' })).toEqual(['recreated@1:WouldDeny', 'untouched@1:WouldDeny']);
      const streamed = await store.verdictsAfter(start, { namespace: 'gens', latestGeneration: true }, 10);
      expect(streamed.map(key).sort()).toEqual(['edited@2:Allow', 'recreated@1:WouldDeny', 'untouched@1:WouldDeny']);
    });

    it('summarises one policy generation by uid, with the latest observation of each offender', async () => {
      const dst = { ...observation().dst, port: 7100 };
      await store.ingest(
        batch([
          observation({ at: '2026-03-01T03:00:10.000Z', count: 2, dst }),
          observation({ at: '2026-03-01T03:05:20.000Z', count: 3, dst }), // same offender, a later minute
          observation({ at: '2026-03-01T03:01:00.000Z', count: 4, dst: { ...dst, port: 7101 } }),
        ]),
        T0,
      );
      const ref = (generation: number): NewVerdict['policy'] => ({ uid: 'sum-u', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'by-uid', generation });
      await judgeAll(store, (f) => [
        verdict({ policy: ref(1), verdict: 'WouldDeny' }),
        verdict({ policy: ref(2), verdict: f.dst.port === 7101 ? 'WouldDeny' : 'Allow' }),
      ]);
      const g1 = await store.summary({ uid: 'sum-u', generation: 1 }, 10);
      expect([g1.allow, g1.wouldDeny]).toEqual([0, 9]);
      expect(g1.topOffenders.map((o) => [o.port, o.count, o.lastSeen])).toEqual([
        [7100, 5, '2026-03-01T03:05:20.000Z'],
        [7101, 4, '2026-03-01T03:01:00.000Z'],
      ]);
      const g2 = await store.summary({ uid: 'sum-u', generation: 2 }, 10);
      expect([g2.allow, g2.wouldDeny, g2.topOffenders.map((o) => o.port)]).toEqual([5, 4, [7101]]);
      const all = await store.summary({ uid: 'sum-u' }, 10);
      expect([all.allow, all.wouldDeny]).toEqual([5, 13]);
      const windowed = await store.summary({ uid: 'sum-u', generation: 1, since: new Date('2026-03-01T03:05:00Z') }, 10);
      expect(windowed.topOffenders.map((o) => [o.port, o.count])).toEqual([[7100, 3]]);
      expect((await store.summary({ uid: 'sum-u', generation: 3 }, 10)).topOffenders).toEqual([]);
    });

    it('drops whole partitions past retention and keeps the rest', async () => {
      await store.ingest(batch([observation({ at: '2026-02-23T12:00:00.000Z' })]), T0);
      const old = await store.listFlows({ until: new Date('2026-02-24T00:00:00Z'), limit: 10 });
      expect(old.flows).toHaveLength(1);
      // Retention 7 days at 03-03 01:00: the cut-off is 02-24 01:00, so the whole of 02-23 goes.
      const dropped = await store.applyRetention(new Date('2026-03-03T01:00:00Z'));
      expect(dropped).toContain('flows_p20260223');
      expect(dropped).not.toContain('flows_p20260224');
      expect((await store.listFlows({ until: new Date('2026-02-24T00:00:00Z'), limit: 10 })).flows).toEqual([]);
      expect((await store.listFlows({ since: new Date('2026-03-01T00:00:00Z'), limit: 1 })).flows).toHaveLength(1);
      // A partition is created again on demand when traffic for a dropped-but-allowed day shows up.
      await store.ingest(batch([observation({ at: '2026-02-23T13:00:00.000Z' })]), T0);
      expect((await store.listFlows({ until: new Date('2026-02-24T00:00:00Z'), limit: 10 })).flows).toHaveLength(1);
    });
  });

  // Each table by its own window, on a store of its own: flows 2 days, verdicts 5 (and finished
  // replay jobs with them), batch ids 6 hours.
  describe(`Store contract (${engine}): retention per table`, () => {
    const RETENTION: RetentionConfig = { flowsDays: 2, verdictsDays: 5, batchIdHours: 6 };
    const HOUR = 3_600_000;
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open(RETENTION));
    }, 120_000);
    afterAll(async () => {
      await cleanup();
    });

    const flowsOn = async (day: string): Promise<number> =>
      (await store.listFlows({ since: new Date(`${day}T00:00:00Z`), until: new Date(`${day}T23:59:59Z`), limit: 100 })).flows.length;
    const verdictsOn = async (day: string): Promise<number> =>
      (await store.listVerdicts({ policy: 'kept', since: new Date(`${day}T00:00:00Z`), until: new Date(`${day}T23:59:59Z`), limit: 100 })).verdicts.length;

    it('forgets a batch id after batchIdHours, not before', async () => {
      const b = batch([observation({ at: '2026-03-01T10:00:00.000Z' })]);
      expect((await store.ingest(b, T0)).duplicate).toBe(false);
      await store.applyRetention(new Date(T0.getTime() + 5 * HOUR));
      expect((await store.ingest(b, T0)).duplicate).toBe(true);
      await store.applyRetention(new Date(T0.getTime() + 7 * HOUR));
      expect((await store.ingest(b, T0)).duplicate).toBe(false);
    });

    it('drops flows partitions after 2 days and audit_verdicts partitions after 5', async () => {
      for (const day of ['2026-02-25', '2026-02-27']) {
        await store.ingest(batch([observation({ at: `${day}T12:00:00.000Z` })]), T0);
      }
      await judgeAll(store, () => [verdict({ name: 'kept' })]);
      expect([await flowsOn('2026-02-25'), await verdictsOn('2026-02-25'), await flowsOn('2026-02-27'), await verdictsOn('2026-02-27')]).toEqual([1, 1, 1, 1]);

      // At T0: the flow cut-off is 02-27 10:30 (02-26 and older go), the verdict one 02-24 10:30.
      const first = await store.applyRetention(T0);
      expect(first).toContain('flows_p20260225');
      expect(first.filter((n) => n.startsWith('audit_verdicts'))).toEqual([]);
      expect([await flowsOn('2026-02-25'), await verdictsOn('2026-02-25'), await flowsOn('2026-02-27'), await verdictsOn('2026-02-27')]).toEqual([0, 1, 1, 1]);

      // Two days later: flows up to 02-28 go; verdicts up to 02-25 (the cut-off is 02-26 10:30).
      const second = await store.applyRetention(new Date(T0.getTime() + 48 * HOUR));
      expect(second).toEqual(expect.arrayContaining(['flows_p20260227', 'audit_verdicts_p20260224', 'audit_verdicts_p20260225']));
      expect(second).not.toContain('audit_verdicts_p20260226');
      expect(second).not.toContain('audit_verdicts_p20260227');
      expect([await verdictsOn('2026-02-25'), await flowsOn('2026-02-27'), await verdictsOn('2026-02-27')]).toEqual([0, 0, 1]);
    });

    it('forgets finished replay jobs after the verdict window; running ones stay', async () => {
      const req = (uid: string): NewReplay => ({
        policy: { uid, kind: 'AuditNetworkPolicy', namespace: 'prod', name: uid, generation: 1 },
        since: new Date('2026-02-20T00:00:00Z'),
      });
      const finishedAt = async (uid: string, state: 'Complete' | 'Failed', at: string): Promise<number> => {
        const { job } = await store.replays.create(req(uid), new Date('2026-02-21T00:00:00Z'));
        const lease = await store.replays.claim(new Date(at), 60_000);
        expect(lease?.job.id).toBe(job.id);
        await store.replays.finish(lease!, state, new Date(at));
        return job.id;
      };
      const early = await finishedAt('early', 'Complete', '2026-02-24T00:00:00Z');
      const later = await finishedAt('later', 'Failed', '2026-02-25T00:00:00Z');
      const running = (await store.replays.create(req('running'), new Date('2026-02-21T00:00:00Z'))).job.id;
      const kept = async (): Promise<boolean[]> => Promise.all([early, later, running].map(async (id) => (await store.replays.get(id)) !== undefined));

      await store.applyRetention(T0); // verdict cut-off 02-24 10:30
      expect(await kept()).toEqual([false, true, true]);
      await store.applyRetention(new Date(T0.getTime() + 48 * HOUR)); // 02-26 10:30
      expect(await kept()).toEqual([false, false, true]);
    });
  });
}
