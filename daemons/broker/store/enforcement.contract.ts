/**
 * What every Store must do with enforcement checks (the verify feature): keep them with the claim
 * that judged the flow, and sum a flow's connection states per NetworkPolicy into a classified
 * report; a flow row judged again and again is counted whole while its check rows are written only
 * when a prediction changes. Run against PostgreSQL (pg-store.int.test.ts) and PGlite
 * (pglite-store.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, observation } from '../testing/fixtures.js';
import type { Predicted } from '../../../contracts/enforcement.js';
import type { EnforcementCheck } from '../verify/enforcement.js';
import type { Queryable } from './sql-client.js';
import { T0, type StoreFactory } from './store.contract.js';
import type { Store, StoredCheckTally } from './types.js';

/** A fresh store and a connection to its database, to count the rows behind the report. */
export type CheckStoreFactory = () => Promise<{ store: Store; sql: Queryable; cleanup: () => Promise<void> }>;

export function enforcementContract(engine: string, open: StoreFactory): void {
  describe(`enforcement checks (${engine})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
    }, 120_000);
    afterAll(async () => {
      await cleanup();
    });
    const at = '2026-03-01T05:30:00.000Z';
    const np = (name: string, predicted: 'Allow' | 'Deny') => ({ policy: { uid: `u-${name}`, namespace: 'prod', name, generation: 4 }, predicted });
    // port -> the state seen and what the enforced policies predict (7204: one flow, seen in two states).
    const flows = [
      { port: 7201, state: 'established', count: 2, check: np('deny-all', 'Deny') }, // got through: NotEnforced
      { port: 7202, state: 'attempt', count: 5, check: np('deny-all', 'Deny') }, // dropped, as predicted
      { port: 7203, state: 'refused', count: 4, check: np('allow-web', 'Allow') }, // allowed yet failing: DroppedElsewhere
      { port: 7204, state: 'established', count: 1, check: np('allow-web', 'Allow') },
      { port: 7204, state: 'attempt', count: 1, check: np('allow-web', 'Allow') }, // same flow, one attempt failed: still Agrees
    ] as const;
    beforeAll(async () => {
      await store.ingest(batch(flows.map((f) => observation({ at, state: f.state, count: f.count, dst: { ...observation().dst, port: f.port } }))), T0);
      const claim = await store.claimPending(1000, T0, 60_000);
      const judgements = claim.flows.map((c) => {
        const f = flows.find((x) => x.port === c.flow.dst.port && x.state === c.flow.state);
        return { flowId: c.flow.id, verdicts: [], enforcement: f ? [f.check] : [] };
      });
      await store.completeClaim(claim, judgements, T0);
    });
    const window = { since: new Date('2026-03-01T05:00:00Z'), until: new Date('2026-03-01T06:00:00Z'), limit: 100 };

    it('sums each flow\'s states per policy and classifies it', async () => {
      const r = await store.enforcementReport({ ...window, namespace: 'prod' });
      const rows = r.rows.map((x) => [x.port, x.policy.name, x.predicted, x.observed, x.outcome]).sort();
      expect(rows).toEqual([
        [7201, 'deny-all', 'Deny', { established: 2, attempt: 0, refused: 0, seen: 0 }, 'NotEnforced'],
        [7202, 'deny-all', 'Deny', { established: 0, attempt: 5, refused: 0, seen: 0 }, 'Agrees'],
        [7203, 'allow-web', 'Allow', { established: 0, attempt: 0, refused: 4, seen: 0 }, 'DroppedElsewhere'],
        [7204, 'allow-web', 'Allow', { established: 1, attempt: 1, refused: 0, seen: 0 }, 'Agrees'],
      ]);
      expect(r.rows.every((x) => x.lastSeen === at && x.src.pod === 'web-1' && x.policy.generation === 4)).toBe(true);
      expect(r.truncated).toBe(false);
    });

    it.each([
      { title: 'one policy', q: { policy: 'deny-all', namespace: 'prod' }, ports: [7201, 7202] },
      { title: 'another namespace', q: { namespace: 'other' }, ports: [] },
      { title: 'a window before the flows', q: { until: new Date('2026-03-01T05:30:00Z') }, ports: [] },
      // All seen at once: ties go by policy, then the ends and port.
      { title: 'a limit: the newest first, and said to be cut', q: { limit: 1 }, ports: [7203], truncated: true },
    ])('filters: $title', async ({ q, ports, truncated }) => {
      const r = await store.enforcementReport({ ...window, ...q });
      expect([r.rows.map((x) => x.port).sort(), r.truncated]).toEqual([ports, truncated ?? false]);
    });

    // Every case of classify's table, in an hour of its own: the mismatches seen first, the agreeing
    // and inconclusive flows after them, so the newest rows are the ones that do not mismatch.
    const early = '2026-03-01T07:30:00.000Z';
    const late = '2026-03-01T07:40:00.000Z';
    const cases = [
      { port: 7301, protocol: 'TCP', direction: 'Egress', seen: [['established', 1]], predicted: 'Deny', outcome: 'NotEnforced' },
      { port: 7302, protocol: 'UDP', direction: 'Ingress', seen: [['seen', 1]], predicted: 'Deny', outcome: 'NotEnforced' },
      { port: 7303, protocol: 'TCP', direction: 'Egress', seen: [['attempt', 2], ['refused', 1]], predicted: 'Allow', outcome: 'DroppedElsewhere' },
      { port: 7304, protocol: 'UDP', direction: 'Egress', seen: [['seen', 2]], predicted: 'Deny', outcome: 'Inconclusive' },
      { port: 7305, protocol: 'TCP', direction: 'Egress', seen: [['attempt', 3]], predicted: 'Deny', outcome: 'Agrees' },
      { port: 7306, protocol: 'TCP', direction: 'Egress', seen: [['attempt', 2]], predicted: 'Allow', outcome: 'Inconclusive' },
      { port: 7307, protocol: 'UDP', direction: 'Egress', seen: [['seen', 1]], predicted: 'Allow', outcome: 'Agrees' },
      { port: 7308, protocol: 'TCP', direction: 'Ingress', seen: [['attempt', 5], ['established', 1]], predicted: 'Allow', outcome: 'Agrees' },
    ] as const;
    const hour = { since: new Date('2026-03-01T07:00:00Z'), until: new Date('2026-03-01T08:00:00Z'), namespace: 'verify' };
    let tallied: readonly StoredCheckTally[] = [];
    beforeAll(async () => {
      const obs = cases.flatMap((c) => c.seen.map(([state, count]) => observation({
        at: c.outcome === 'NotEnforced' || c.outcome === 'DroppedElsewhere' ? early : late, state, count, protocol: c.protocol, direction: c.direction,
        dst: { ...observation().dst, port: c.port },
      })));
      await store.ingest(batch(obs), T0);
      const claim = await store.claimPending(1000, T0, 60_000);
      await store.completeClaim(claim, claim.flows.map((f) => {
        const c = cases.find((x) => x.port === f.flow.dst.port);
        return { flowId: f.flow.id, verdicts: [], enforcement: c ? [{ policy: { uid: 'u-verify', namespace: 'verify', name: 'np', generation: 1 }, predicted: c.predicted }] : [] };
      }), T0, (_verdicts, checks) => {
        tallied = checks;
      });
    });

    it('tells the metrics the checks judged once per prediction and state, their conversations summed', () => {
      expect(tallied.map((t) => [t.predicted, t.state, t.count]).sort()).toEqual([
        ['Allow', 'attempt', 9], ['Allow', 'established', 1], ['Allow', 'refused', 1], ['Allow', 'seen', 1],
        ['Deny', 'attempt', 3], ['Deny', 'established', 1], ['Deny', 'seen', 3],
      ]);
    });

    it('classifies every case of the table', async () => {
      const r = await store.enforcementReport({ ...hour, limit: 100 });
      expect(r.rows.map((x) => [x.port, x.outcome]).sort()).toEqual(cases.map((c) => [c.port, c.outcome]));
    });

    it.each([
      { limit: 100, ports: [7301, 7302, 7303], truncated: false },
      // The limit counts mismatched flows only: the newer agreeing ones never crowd them out.
      { limit: 3, ports: [7301, 7302, 7303], truncated: false },
      { limit: 2, ports: [7301, 7302], truncated: true },
    ])('mismatches only, limit $limit: the flows classify calls NotEnforced or DroppedElsewhere', async ({ limit, ports, truncated }) => {
      const r = await store.enforcementReport({ ...hour, limit, mismatches: true });
      expect([r.rows.map((x) => x.port).sort(), r.truncated]).toEqual([ports, truncated]);
    });
  });
}

/** One judgement of a flow row: this many new observations, judged with these checks. */
interface Step {
  count: number;
  checks: EnforcementCheck[];
}

const check = (name: string, predicted: Predicted, generation = 4): EnforcementCheck => ({ policy: { uid: `u-${name}`, namespace: 'prod', name, generation }, predicted });

export function enforcementRangesContract(engine: string, open: CheckStoreFactory): void {
  describe(`enforcement checks of a flow row judged again and again (${engine})`, () => {
    let store: Store;
    let sql: Queryable;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, sql, cleanup } = await open());
    }, 120_000);
    afterAll(async () => {
      await cleanup();
    });
    const at = '2026-03-01T07:10:00.000Z';
    const window = { since: new Date('2026-03-01T07:00:00Z'), until: new Date('2026-03-01T08:00:00Z'), limit: 100 };
    const see = async (port: number, count: number): Promise<void> => {
      await store.ingest(batch([observation({ at, count, dst: { ...observation().dst, port } })]), T0);
    };
    /** Claims what is pending (this port's flow row only: every earlier case is judged) and judges it with `checks`. */
    const judge = async (checks: EnforcementCheck[]): Promise<void> => {
      const claim = await store.claimPending(1000, T0, 60_000);
      expect(claim.flows).toHaveLength(1);
      await store.completeClaim(claim, claim.flows.map((c) => ({ flowId: c.flow.id, verdicts: [], enforcement: checks })), T0);
    };
    const report = async (port: number): Promise<[string, Predicted, number, number][]> => {
      const r = await store.enforcementReport(window);
      return r.rows.filter((x) => x.port === port).map((x): [string, Predicted, number, number] => [x.policy.name, x.predicted, x.policy.generation, x.observed.established]).sort();
    };
    const rowsOf = async (port: number): Promise<number> => Number((await sql.query<{ n: string | number }>('SELECT count(*) AS n FROM enforcement_checks WHERE port = $1', [port])).rows[0]?.n);

    // Each case is its own flow row (its own port); report: [policy, predicted, generation, established].
    it.each([
      {
        title: 'judged three times alike: one check row, every observation counted', port: 7301,
        steps: [{ count: 2, checks: [check('deny-all', 'Deny')] }, { count: 3, checks: [check('deny-all', 'Deny')] }, { count: 4, checks: [check('deny-all', 'Deny')] }],
        report: [['deny-all', 'Deny', 4, 9]], rows: 1,
      },
      {
        title: 'the prediction changes: each counts the observations judged with it', port: 7302,
        steps: [{ count: 2, checks: [check('allow-web', 'Allow')] }, { count: 3, checks: [check('allow-web', 'Deny', 5)] }, { count: 1, checks: [check('allow-web', 'Deny', 5)] }],
        report: [['allow-web', 'Allow', 4, 2], ['allow-web', 'Deny', 5, 4]], rows: 2,
      },
      {
        title: 'a new generation predicting the same: one report row, at the newest generation', port: 7303,
        steps: [{ count: 2, checks: [check('allow-web', 'Allow')] }, { count: 3, checks: [check('allow-web', 'Allow', 5)] }],
        report: [['allow-web', 'Allow', 5, 5]], rows: 2,
      },
      {
        title: 'a policy that stops deciding the flow counts only what it judged', port: 7304,
        steps: [{ count: 2, checks: [check('deny-all', 'Deny')] }, { count: 3, checks: [] }],
        report: [['deny-all', 'Deny', 4, 2]], rows: 2,
      },
      {
        title: 'deciding again after a pause: the pause is not counted', port: 7305,
        steps: [{ count: 2, checks: [check('deny-all', 'Deny')] }, { count: 3, checks: [] }, { count: 4, checks: [check('deny-all', 'Deny')] }],
        report: [['deny-all', 'Deny', 4, 6]], rows: 3,
      },
      {
        title: 'two policies, one of them dropping out', port: 7306,
        steps: [{ count: 2, checks: [check('a', 'Deny'), check('b', 'Deny')] }, { count: 3, checks: [check('a', 'Deny')] }],
        report: [['a', 'Deny', 4, 5], ['b', 'Deny', 4, 2]], rows: 3,
      },
      {
        title: 'never decided by an enforced policy: nothing stored, nothing reported', port: 7307,
        steps: [{ count: 2, checks: [] }, { count: 3, checks: [] }],
        report: [], rows: 0,
      },
    ] as { title: string; port: number; steps: Step[]; report: [string, Predicted, number, number][]; rows: number }[])('$title', async (c) => {
      for (const step of c.steps) {
        await see(c.port, step.count);
        await judge(step.checks);
      }
      expect(await report(c.port)).toEqual(c.report);
      expect(await rowsOf(c.port)).toBe(c.rows);
    });

    it('stores a completion once: the same claim completed again writes and counts nothing more', async () => {
      await see(7310, 2);
      const claim = await store.claimPending(1000, T0, 60_000);
      const judgements = claim.flows.map((c) => ({ flowId: c.flow.id, verdicts: [], enforcement: [check('deny-all', 'Deny')] }));
      await store.completeClaim(claim, judgements, T0);
      await store.completeClaim(claim, judgements, T0);
      expect([await report(7310), await rowsOf(7310)]).toEqual([[['deny-all', 'Deny', 4, 2]], 1]);
    });

    it('counts observations once judged, not while pending', async () => {
      await see(7311, 2);
      await judge([check('deny-all', 'Deny')]);
      await see(7311, 5); // ingested, not judged yet
      expect(await report(7311)).toEqual([['deny-all', 'Deny', 4, 2]]);
      await judge([check('deny-all', 'Deny')]);
      expect(await report(7311)).toEqual([['deny-all', 'Deny', 4, 7]]);
    });

    it.each([
      // One flow row (minute 07:13), observed at 07:13:05 and 07:13:20: judged Deny, 3 established in all.
      { title: 'a window starting after its last observation, in its minute: not counted', since: '2026-03-01T07:13:30Z', established: [] },
      { title: 'a window starting at its last observation: counted whole', since: '2026-03-01T07:13:20Z', established: [3] },
      { title: 'a window starting between its observations: counted whole (a flow row is the finest grain)', since: '2026-03-01T07:13:10Z', established: [3] },
      { title: 'a window starting before its minute: counted', since: '2026-03-01T07:12:00Z', established: [3] },
    ])('a flow row counts where one of its observations is in the window: $title', async ({ since, established }) => {
      if ((await rowsOf(7313)) === 0) {
        await store.ingest(batch([observation({ at: '2026-03-01T07:13:05.000Z', count: 1, dst: { ...observation().dst, port: 7313 } }),
          observation({ at: '2026-03-01T07:13:20.000Z', count: 2, dst: { ...observation().dst, port: 7313 } })]), T0);
        await judge([check('deny-all', 'Deny')]);
      }
      const r = await store.enforcementReport({ ...window, since: new Date(since) });
      expect(r.rows.filter((x) => x.port === 7313).map((x) => x.observed.established)).toEqual(established);
    });

    it('keeps each flow row\'s checks apart: two flows, two minutes, one claim, a prediction changing, the hash unknown', async () => {
      // Flow rows A (7320, 07:20), B (7320, 07:21) and C (7321, 07:20); A and C share a minute, A and B a flow.
      const rows = { A: [7320, '2026-03-01T07:20:05.000Z'], B: [7320, '2026-03-01T07:21:05.000Z'], C: [7321, '2026-03-01T07:20:10.000Z'] } as const;
      type Name = keyof typeof rows;
      const step = async (counts: Record<Name, number>, checks: Record<Name, EnforcementCheck[]>): Promise<void> => {
        await store.ingest(batch((Object.keys(rows) as Name[]).map((n) => observation({ at: rows[n][1], count: counts[n], dst: { ...observation().dst, port: rows[n][0] } }))), T0);
        const claim = await store.claimPending(1000, T0, 60_000);
        expect(claim.flows).toHaveLength(3);
        const name = (port: number, bucket: string): Name => (port === 7321 ? 'C' : bucket.startsWith('2026-03-01T07:20') ? 'A' : 'B');
        await store.completeClaim(claim, claim.flows.map((c) => ({ flowId: c.flow.id, verdicts: [], enforcement: checks[name(c.flow.dst.port, c.flow.bucket)] })), T0);
      };
      const state = async (): Promise<unknown[]> => {
        const r = await sql.query<{ port: number; minute: string; predicted: string; n: string | number }>(
          `SELECT port, to_char(observed_at AT TIME ZONE 'UTC', 'HH24:MI') AS minute, predicted, count(*) AS n FROM enforcement_checks
           WHERE port IN (7320, 7321) GROUP BY 1, 2, 3`);
        const report = (await store.enforcementReport(window)).rows.filter((x) => x.port === 7320 || x.port === 7321);
        return [r.rows.map((x) => `${String(x.port)} ${x.minute} ${x.predicted || 'end'} ×${String(Number(x.n))}`).sort(),
          report.map((x) => `${String(x.port)} ${x.policy.name} ${x.predicted} ${String(x.observed.established)}`).sort()];
      };
      await step({ A: 2, B: 3, C: 4 }, { A: [check('p1', 'Deny')], B: [check('p1', 'Allow')], C: [check('p2', 'Deny')] });
      await step({ A: 1, B: 1, C: 1 }, { A: [check('p1', 'Deny')], B: [check('p1', 'Deny')], C: [check('p2', 'Deny')] });
      expect(await state()).toEqual([
        ['7320 07:20 Deny ×1', '7320 07:21 Allow ×1', '7320 07:21 Deny ×1', '7321 07:20 Deny ×1'],
        ['7320 p1 Allow 3', '7320 p1 Deny 4', '7321 p2 Deny 5'],
      ]);
      // As rows stored before the hash: their checks are read back from their check rows.
      await sql.query('UPDATE flows SET checks_hash = NULL WHERE dst_port IN (7320, 7321)');
      await step({ A: 1, B: 1, C: 1 }, { A: [check('p1', 'Deny')], B: [], C: [check('p2', 'Allow')] });
      expect(await state()).toEqual([
        ['7320 07:20 Deny ×1', '7320 07:21 Allow ×1', '7320 07:21 Deny ×1', '7320 07:21 end ×1', '7321 07:20 Allow ×1', '7321 07:20 Deny ×1'],
        ['7320 p1 Allow 3', '7320 p1 Deny 5', '7321 p2 Allow 1', '7321 p2 Deny 5'],
      ]);
      // Hashes written again: the same checks once more write nothing.
      await step({ A: 1, B: 1, C: 1 }, { A: [check('p1', 'Deny')], B: [], C: [check('p2', 'Allow')] });
      expect((await state())[0]).toHaveLength(6);
    });

    it('counts what the first judgement judged once the flow row has expired (flows kept shorter than checks)', async () => {
      await see(7312, 2);
      await judge([check('deny-all', 'Deny')]);
      await see(7312, 3);
      await judge([check('deny-all', 'Deny')]);
      await sql.query('DELETE FROM flows WHERE dst_port = $1', [7312]);
      expect(await report(7312)).toEqual([['deny-all', 'Deny', 4, 2]]);
    });
  });
}
