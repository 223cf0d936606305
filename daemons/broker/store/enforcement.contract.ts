/**
 * What every Store must do with enforcement checks (the verify feature): keep them with the claim
 * that judged the flow, and sum a flow's connection states per NetworkPolicy into a classified
 * report. Run against PostgreSQL (pg-store.int.test.ts) and PGlite (pglite-store.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, observation } from '../testing/fixtures.js';
import { T0, type StoreFactory } from './store.contract.js';
import type { Store } from './types.js';

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
      }), T0);
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
