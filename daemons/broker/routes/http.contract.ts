/**
 * The HTTP API's behaviour through `app.request()`, as one suite run on PGlite
 * (http-pglite.test.ts) and on PostgreSQL (http-pg.int.test.ts).
 */
// A test suite in all but name (imported by the *.test.ts files that run it).
/* eslint-disable @typescript-eslint/no-non-null-assertion */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowObservation } from '../../../contracts/flow-batch.js';
import { batch, observation, verdict } from '../testing/fixtures.js';
import { judgePending, readEvents, testApp, type TestApp } from '../testing/test-app.js';
import type { Store, StoredVerdict } from '../store/types.js';

export const NOW = new Date('2026-03-01T10:30:00.000Z');

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

interface Page {
  verdicts: StoredVerdict[];
  nextBeforeId: number | null;
}

interface FlowPage {
  flows: { id: number; firstSeen: string; dst: { port: number } }[];
  nextCursor: number | null;
}

/** `n` distinct observations (ports from `port`), one every `stepMs` from `from`. */
function spread(n: number, from: string, stepMs: number, port: number): FlowObservation[] {
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.parse(from) + i * stepMs).toISOString();
    return observation({ at, dst: { ...observation().dst, port: port + i } });
  });
}

export function httpContract(engine: string, open: StoreFactory): void {
  describe(`broker HTTP API (${engine})`, () => {
    let t: TestApp;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const s = await open();
      cleanup = s.cleanup;
      t = testApp(s.store, NOW);
      // Verdicts for the read tests: 3 flows x (namespaced WouldDeny/Allow + cluster-scoped).
      const flows = [0, 1, 2].map((i) => observation({ at: `2026-03-01T09:0${i}:00.000Z`, dst: { ...observation().dst, port: 5000 + i } }));
      await s.store.ingest(batch(flows, { node: 'node-a' }), NOW);
      await judgePending(s.store, NOW, (f) => [
        verdict({ name: 'web', verdict: f.dst.port === 5001 ? 'Allow' : 'WouldDeny' }),
        verdict({ name: 'web', ns: '', policy: { uid: 'c1', kind: 'AuditClusterNetworkPolicy', namespace: '', name: 'web', generation: 1 } }),
      ]);
    }, 120_000);
    afterAll(async () => {
      await cleanup();
    });

    describe('POST /v1/flows', () => {
      it('stores a batch and answers a re-sent one as a duplicate without storing it again', async () => {
        const b = batch([observation({ at: '2026-03-01T10:00:00.000Z', count: 2 }), observation({ at: '2026-03-01T10:00:30.000Z', count: 3 })]);
        const first = await t.post('/v1/flows', b);
        expect(first.status).toBe(200);
        expect(await first.json()).toEqual({ batchId: b.batchId, duplicate: false, observations: 2, rows: 1 });
        const again = await t.post('/v1/flows', b);
        expect(await again.json()).toMatchObject({ duplicate: true, rows: 0 });
        const flows = (await (await t.get('/v1/flows?since=2026-03-01T10:00:00Z&until=2026-03-01T10:01:00Z')).json()) as { flows: { count: number }[] };
        expect(flows.flows.map((f) => f.count)).toEqual([5]);
      });

      it.each([
        { title: 'a malformed item', body: { batchId: 'x', node: 'node-a', flows: [observation(), { ...observation(), protocol: 'ICMP' }] }, status: 400, field: 'flows[1].protocol', index: 1 },
        { title: 'a flow from another node', body: { batchId: 'x', node: 'node-a', flows: [{ ...observation(), node: 'node-b' }] }, status: 400, field: 'flows[0].node', index: 0 },
        { title: 'a flow older than retention', body: { batchId: 'x', node: 'node-a', flows: [observation({ at: '2026-02-01T00:00:00.000Z' })] }, status: 400, field: 'flows[0].firstSeen', index: 0 },
        { title: 'a flow from the far future', body: { batchId: 'x', node: 'node-a', flows: [observation({ at: '2026-03-05T00:00:00.000Z' })] }, status: 400, field: 'flows[0].firstSeen', index: 0 },
        // Date.parse would store it as December 1.
        { title: 'an impossible date', body: { batchId: 'x', node: 'node-a', flows: [observation({ at: '2026-11-31T10:00:00.000Z' })] }, status: 400, field: 'flows[0].firstSeen', index: 0 },
        { title: 'invalid JSON', body: '{"batchId": ', status: 400, field: 'body' },
        { title: 'deep nesting', body: '['.repeat(100_000) + ']'.repeat(100_000), status: 400, field: 'body' },
      ])('refuses $title with $status naming $field', async ({ body, status, field, index }) => {
        const r = await t.post('/v1/flows', body);
        expect(r.status).toBe(status);
        const json = (await r.json()) as Record<string, unknown>;
        expect(json.field).toBe(field);
        expect(typeof json.error).toBe('string');
        if (index !== undefined) expect(json.index).toBe(index);
      });

      it('refuses a body that is not JSON (415) or too large (413)', async () => {
        const r1 = await t.app.request('/v1/flows', { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } });
        expect([r1.status, ((await r1.json()) as { field: string }).field]).toEqual([415, 'Content-Type']);
        const big = 'x'.repeat(17 * 1024 * 1024);
        const r2 = await t.post('/v1/flows', big);
        expect([r2.status, ((await r2.json()) as { field: string }).field]).toEqual([413, 'body']);
      });
    });

    describe('GET /v1/flows', () => {
      // 25 flows a minute apart, 06:00 to 06:24, away from every other test's times.
      const window = 'since=2026-03-01T06:00:00Z&until=2026-03-01T06:30:00Z';
      beforeAll(async () => {
        const r = await t.post('/v1/flows', batch(spread(25, '2026-03-01T06:00:00.000Z', 60_000, 7000)));
        expect(r.status).toBe(200);
      });

      it('pages with cursor across pages: every flow of the window once, in id order', async () => {
        const ids: number[] = [];
        const sizes: number[] = [];
        let url = `/v1/flows?${window}&limit=7`;
        for (let pages = 0; pages < 10; pages++) {
          const r = await t.get(url);
          expect(r.status).toBe(200);
          const p = (await r.json()) as FlowPage;
          ids.push(...p.flows.map((f) => f.id));
          sizes.push(p.flows.length);
          if (p.nextCursor === null) break;
          expect(p.nextCursor).toBe(p.flows.at(-1)!.id);
          url = `/v1/flows?${window}&limit=7&cursor=${p.nextCursor}`;
        }
        expect(sizes).toEqual([7, 7, 7, 4]);
        const whole = (await (await t.get(`/v1/flows?${window}&limit=5000`)).json()) as FlowPage;
        expect(whole.nextCursor).toBeNull();
        expect(whole.flows.map((f) => f.dst.port).sort()).toEqual(Array.from({ length: 25 }, (_, i) => 7000 + i));
        expect(ids).toEqual(whole.flows.map((f) => f.id));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      });

      it('bounds the window with since (inclusive) and until (exclusive)', async () => {
        const p = (await (await t.get('/v1/flows?since=2026-03-01T06:10:00Z&until=2026-03-01T06:15:00Z')).json()) as FlowPage;
        expect(p.flows.map((f) => f.dst.port).sort()).toEqual([7010, 7011, 7012, 7013, 7014]);
      });

      it.each([
        { query: 'since=yesterday', field: 'since' },
        { query: 'since=2026-03-01', field: 'since' },
        { query: 'since=2026-02-30T00:00:00Z', field: 'since' }, // no such day (Date.parse: March 2)
        { query: 'until=2026-03-01T06:00:00', field: 'until' }, // no zone
        { query: 'until=tomorrow', field: 'until' },
        { query: 'since=2026-03-01T07:00:00Z&until=2026-03-01T06:00:00Z', field: 'until' },
        { query: 'cursor=-1', field: 'cursor' },
        { query: 'cursor=abc', field: 'cursor' },
        { query: 'cursor=1.5', field: 'cursor' },
        { query: 'cursor=1&cursor=2', field: 'cursor' },
        { query: 'limit=0', field: 'limit' },
        { query: 'limit=5001', field: 'limit' },
        { query: 'after=1', field: 'after' },
      ])('answers 400 naming $field for $query', async ({ query, field }) => {
        const r = await t.get(`/v1/flows?${query}`);
        expect(r.status).toBe(400);
        const body = (await r.json()) as { field: string; error: string };
        expect(body.field).toBe(field);
        expect(body.error).toContain(field);
      });
    });

    describe('GET /audit/verdicts limits', () => {
      // 1,005 verdicts of one policy, written as the evaluation loop writes them (ingest, claim, complete).
      const BULK = 1005;
      beforeAll(async () => {
        await t.deps.store.ingest(batch(spread(BULK, '2026-03-01T07:00:00.000Z', 1000, 10_000)), NOW);
        const policy = { uid: 'bulk-uid', kind: 'AuditNetworkPolicy' as const, namespace: 'bulk', name: 'bulk', generation: 1 };
        const stored = await judgePending(t.deps.store, NOW, (f) => (f.dst.port >= 10_000 ? [verdict({ policy })] : []));
        expect(stored).toBe(BULK);
      }, 120_000);

      it('answers 100 by default, at most 1000, and pages the rest', async () => {
        const byDefault = (await (await t.get('/audit/verdicts?policy=bulk')).json()) as Page;
        expect(byDefault.verdicts).toHaveLength(100);
        expect(byDefault.nextBeforeId).toBe(byDefault.verdicts[99]!.id);
        const max = (await (await t.get('/audit/verdicts?policy=bulk&limit=1000')).json()) as Page;
        expect(max.verdicts).toHaveLength(1000);
        expect(max.verdicts.slice(0, 100).map((v) => v.id)).toEqual(byDefault.verdicts.map((v) => v.id));
        const rest = (await (await t.get(`/audit/verdicts?policy=bulk&limit=1000&before_id=${max.nextBeforeId!}`)).json()) as Page;
        expect([rest.verdicts.length, rest.nextBeforeId]).toEqual([BULK - 1000, null]);
        expect(new Set([...max.verdicts, ...rest.verdicts].map((v) => v.id)).size).toBe(BULK);
        const over = await t.get('/audit/verdicts?policy=bulk&limit=1001');
        expect([over.status, ((await over.json()) as { field: string }).field]).toEqual([400, 'limit']);
      });
    });

    describe('GET /audit/verdicts', () => {
      it('lists newest first and pages with before_id until nextBeforeId is null', async () => {
        const all = (await (await t.get('/audit/verdicts?policy=web')).json()) as Page;
        expect(all.verdicts).toHaveLength(6);
        const ids: number[] = [];
        let url = '/audit/verdicts?policy=web&limit=4';
        for (;;) {
          const p = (await (await t.get(url)).json()) as Page;
          ids.push(...p.verdicts.map((v) => v.id));
          if (p.nextBeforeId === null) break;
          url = `/audit/verdicts?policy=web&limit=4&before_id=${p.nextBeforeId}`;
        }
        expect(ids).toEqual(all.verdicts.map((v) => v.id));
        expect(all.verdicts[0]!.observedAt >= all.verdicts[5]!.observedAt).toBe(true);
      });

      it.each([
        { query: 'namespace=', expect: ['', '', ''] },
        { query: 'namespace=prod&verdict=WouldDeny', expect: ['prod', 'prod'] },
        { query: 'namespace=prod&verdict=Allow', expect: ['prod'] },
        { query: 'namespace=prod&direction=Ingress', expect: [] },
        { query: 'namespace=prod&state=established', expect: ['prod', 'prod', 'prod'] }, // the fixture's flows all connected
        { query: 'namespace=prod&state=refused', expect: [] },
        { query: 'namespace=prod&since=2026-03-01T09:01:00Z&until=2026-03-01T09:02:00Z', expect: ['prod'] },
        { query: 'namespace=prod&since=2h', expect: ['prod', 'prod', 'prod'] }, // look-back from the fixed clock
      ])('filters with $query', async ({ query, expect: namespaces }) => {
        const p = (await (await t.get(`/audit/verdicts?policy=web&${query}`)).json()) as Page;
        expect(p.verdicts.map((v) => v.policy.namespace)).toEqual(namespaces);
      });

      it.each([
        { query: 'verdict=Deny', field: 'verdict' },
        { query: 'direction=ingress', field: 'direction' },
        { query: 'state=reset', field: 'state' },
        { query: 'since=yesterday', field: 'since' },
        { query: 'until=2026-03-01', field: 'until' },
        { query: 'since=2026-02-30T00:00:00Z', field: 'since' }, // no such day
        { query: 'until=2026-03-01T24:00:00Z', field: 'until' }, // no such hour
        { query: 'since=2026-03-01T10:00:00Z&until=2026-03-01T09:00:00Z', field: 'until' },
        { query: 'limit=0', field: 'limit' },
        { query: 'limit=1001', field: 'limit' },
        { query: 'limit=1e3', field: 'limit' },
        { query: 'before_id=-1', field: 'before_id' },
        { query: 'before_id=99999999', field: 'before_id' }, // well-formed but unknown cursor
        { query: 'policy=Bad_Name', field: 'policy' },
        { query: 'policy=a&policy=b', field: 'policy' },
        { query: 'namepsace=prod', field: 'namepsace' },
        { query: 'generations=current', field: 'generations' },
        { query: 'generations=', field: 'generations' },
      ])('answers 400 naming $field for $query', async ({ query, field }) => {
        const r = await t.get(`/audit/verdicts?${query}`);
        expect(r.status).toBe(400);
        expect(((await r.json()) as { field: string }).field).toBe(field);
      });
    });

    it('summarises a policy over a window', async () => {
      const r = await t.get('/audit/summary?policy=web&namespace=prod&window=24h');
      const s = (await r.json()) as { allow: number; wouldDeny: number; topOffenders: { dst: { pod: string }; port: number }[]; since: string };
      expect([s.allow, s.wouldDeny, s.since]).toEqual([1, 2, '2026-02-28T10:30:00.000Z']);
      expect(s.topOffenders.map((o) => o.port).sort()).toEqual([5000, 5002]);
      expect((await t.get('/audit/summary?window=forever')).status).toBe(400);
      expect((await t.get('/audit/summary?window=30d')).status).toBe(400); // longer than verdict retention
    });

    it('summarises by exact uid and generation, with lastSeen per offender', async () => {
      const r = await t.get('/audit/summary?uid=c1&generation=1&window=24h');
      expect(r.status).toBe(200);
      const s = (await r.json()) as { uid: string; generation: number; allow: number; wouldDeny: number; topOffenders: { port: number; lastSeen: string }[] };
      expect([s.uid, s.generation, s.allow, s.wouldDeny]).toEqual(['c1', 1, 0, 3]);
      expect(s.topOffenders.map((o) => [o.port, o.lastSeen]).sort()).toEqual([
        [5000, '2026-03-01T09:00:00.000Z'],
        [5001, '2026-03-01T09:01:00.000Z'],
        [5002, '2026-03-01T09:02:00.000Z'],
      ]);
      const other = (await (await t.get('/audit/summary?uid=c1&generation=2&window=24h')).json()) as { allow: number; wouldDeny: number };
      expect([other.allow, other.wouldDeny]).toEqual([0, 0]);
    });

    it.each([
      { query: 'generation=1', field: 'generation' }, // without uid
      { query: 'uid=c1&generation=-1', field: 'generation' },
      { query: 'uid=c1&generation=x', field: 'generation' },
      { query: 'uid=not%20a%20uid', field: 'uid' },
      { query: 'uid=a&uid=b', field: 'uid' },
    ])('summary answers 400 naming $field for $query', async ({ query, field }) => {
      const r = await t.get(`/audit/summary?${query}`);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { field: string }).field).toBe(field);
    });

    it('streams stored verdicts, resumes after Last-Event-ID and delivers new ones live', async () => {
      const all = (await (await t.get('/audit/verdicts?policy=web&namespace=prod')).json()) as Page;
      const ids = all.verdicts.map((v) => v.id).sort((a, b) => a - b);
      const first = await t.get('/audit/verdicts/stream?policy=web&namespace=prod&after_id=0');
      expect(first.headers.get('content-type')).toMatch(/text\/event-stream/);
      const e1 = await readEvents(first, 2);
      expect(e1.map((e) => Number(e.id))).toEqual(ids.slice(0, 2));
      // Reconnect as a client would, with the last id seen: the rest, then what is stored next.
      const resumed = await t.get('/audit/verdicts/stream?policy=web&namespace=prod', { 'Last-Event-ID': e1[1]!.id! });
      const pending = readEvents(resumed, 2);
      await t.deps.store.ingest(batch([observation({ at: '2026-03-01T10:20:00.000Z', dst: { ...observation().dst, port: 6000 } })]), NOW);
      await judgePending(t.deps.store, NOW, (f) => (f.dst.port === 6000 ? [verdict({ name: 'web' })] : []));
      const e2 = await pending;
      expect(Number(e2[0]!.id)).toBe(ids[2]);
      const live = JSON.parse(e2[1]!.data) as StoredVerdict;
      expect([live.port, live.policy.name, live.observedAt]).toEqual([6000, 'web', '2026-03-01T10:20:00.000Z']);
      expect((await t.get('/audit/verdicts/stream', { 'Last-Event-ID': 'abc' })).status).toBe(400);
    });

    it('serves health, readiness, metrics, the OpenAPI document and JSON 404s', async () => {
      expect(await (await t.get('/healthz')).json()).toEqual({ status: 'ok' });
      expect((await t.get('/readyz')).status).toBe(200);
      const m = await (await t.get('/metrics')).text();
      expect(m).toMatch(/kguardian_broker_ingest_batches_total\{result="duplicate"\} 1/);
      expect(m).toMatch(/kguardian_broker_db_pool_connections\{state="total"\}/);
      expect(m).toMatch(/kguardian_broker_http_requests_total\{method="POST",route="\/v1\/flows",status="200"\}/);
      expect(((await (await t.get('/openapi.json')).json()) as { openapi: string }).openapi).toBe('3.1.0');
      const nf = await t.get('/nope');
      expect([nf.status, await nf.json()]).toEqual([404, { error: 'no route for GET /nope' }]);
    });

    it.each([
      { method: 'DELETE', path: '/v1/flows', allow: 'GET, HEAD, POST' },
      { method: 'PUT', path: '/v1/replays', allow: 'POST' },
      { method: 'PATCH', path: '/v1/replays/7', allow: 'GET, HEAD' },
      { method: 'POST', path: '/healthz', allow: 'GET, HEAD' },
      { method: 'OPTIONS', path: '/audit/verdicts/stream', allow: 'GET, HEAD' },
      { method: 'POST', path: '/audit/summary', allow: 'GET, HEAD' },
    ])('answers $method $path with 405 and Allow: $allow', async ({ method, path, allow }) => {
      const r = await t.app.request(path, { method });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe(allow);
      expect(((await r.json()) as { error: string }).error).toBe(`method ${method} not allowed on ${path}`);
    });
  });
}
