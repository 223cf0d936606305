/**
 * The OpenAPI document against what the routes really answer: each request below goes through
 * the real app (on PGlite), and its status and body must be what the document says for that
 * operation, validated by ajv (testing/openapi-check.ts, which also closes every object schema so
 * an undocumented field fails). Request bodies the tests send are validated too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../../runtime/auth/types.js';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { batch, observation, verdict } from '../testing/fixtures.js';
import { OpenApiCheck } from '../testing/openapi-check.js';
import { FLOW_BATCH_LIMITS } from '../../../contracts/flow-batch-limits.js';
import { OPENAPI } from './openapi.js';
import { replayRequestSchema } from '../../../contracts/replay.js';
import { judgePending, readEvents, testApp, type TestApp } from '../testing/test-app.js';

const NOW = new Date('2026-03-01T10:30:00.000Z');

/** Bearer `reader` may do anything, `nobody` nothing; any other token is unknown. */
const auth: Authenticator = {
  mode: 'static',
  authenticate: (token) => Promise.resolve(token === 'reader' || token === 'nobody' ? { username: token, groups: [] } : null),
  authorize: (who) => Promise.resolve(who.username === 'reader'),
};
const AS_READER = { Authorization: 'Bearer reader' };

const REPLAY = {
  policy: { uid: 'rp-1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'web', generation: 1 },
  since: '2026-03-01T09:00:00Z',
};
const FLOW_BATCH = batch([observation({ at: '2026-03-01T09:00:00.000Z' }), observation({ at: '2026-03-01T09:01:00.000Z', count: 3 })]);

interface Call {
  title: string;
  method: 'GET' | 'POST';
  /** The route as Hono names it, to find the operation in the document. */
  route: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
}

const get = (title: string, route: string, url: string, status: number, headers: Record<string, string> = AS_READER): Call => ({ title, method: 'GET', route, url, status, headers });
const post = (title: string, route: string, body: unknown, status: number, headers: Record<string, string> = AS_READER): Call => ({ title, method: 'POST', route, url: route, body, status, headers });

// In order: the POSTs come first, so later reads see their rows (the second replay POST finds the first).
const CALLS: Call[] = [
  post('a flow batch', '/v1/flows', FLOW_BATCH, 200),
  post('the same batch again', '/v1/flows', FLOW_BATCH, 200),
  post('a malformed item', '/v1/flows', { ...FLOW_BATCH, flows: [{ ...observation(), protocol: 'ICMP' }] }, 400),
  post('a body that is not JSON', '/v1/flows', '{"batchId": ', 400),
  post('a body over 9.8 MiB', '/v1/flows', 'x'.repeat(FLOW_BATCH_LIMITS.maxBodyBytes + 1), 413),
  post('a replay body over 64 KiB', '/v1/replays', 'x'.repeat(65 * 1024), 413),
  post('a replay', '/v1/replays', REPLAY, 202),
  post('the same replay again', '/v1/replays', REPLAY, 200),
  post('a replay of generation 0', '/v1/replays', { ...REPLAY, policy: { ...REPLAY.policy, generation: 0 } }, 400),
  post('flows without a token', '/v1/flows', FLOW_BATCH, 401, {}),
  post('flows by nobody', '/v1/flows', FLOW_BATCH, 403, { Authorization: 'Bearer nobody' }),
  get('a flow page', '/v1/flows', '/v1/flows?since=2026-03-01T08:00:00Z&limit=1', 200),
  get('the last flow page', '/v1/flows', '/v1/flows?since=2026-03-01T08:00:00Z&until=2026-03-01T10:00:00Z&limit=1000', 200),
  get('a bad cursor', '/v1/flows', '/v1/flows?cursor=x', 400),
  get('a verdict page', '/audit/verdicts', '/audit/verdicts?limit=1', 200),
  get('a verdict page by namespace and verdict', '/audit/verdicts', '/audit/verdicts?namespace=prod&verdict=WouldDeny&since=1d', 200),
  get('a cluster-scoped verdict page', '/audit/verdicts', '/audit/verdicts?namespace=', 200),
  get('a bad verdict', '/audit/verdicts', '/audit/verdicts?verdict=Deny', 400),
  get('an unknown parameter', '/audit/verdicts', '/audit/verdicts?bogus=1', 400),
  get('verdicts without a token', '/audit/verdicts', '/audit/verdicts', 401, {}),
  get('verdicts with an unknown token', '/audit/verdicts', '/audit/verdicts', 401, { Authorization: 'Bearer nope' }),
  get('verdicts by nobody', '/audit/verdicts', '/audit/verdicts', 403, { Authorization: 'Bearer nobody' }),
  get('a summary', '/audit/summary', '/audit/summary?policy=payments-isolation&namespace=prod&window=24h', 200),
  get('a summary by uid and generation', '/audit/summary', '/audit/summary?uid=uid-1&generation=1&window=24h&top=1', 200),
  get('an empty summary', '/audit/summary', '/audit/summary', 200),
  get('a summary with generation alone', '/audit/summary', '/audit/summary?generation=1', 400),
  get('an enforcement report', '/v1/enforcement', '/v1/enforcement?namespace=prod&since=2h&mismatches=true', 200),
  get('an enforcement report with a bad flag', '/v1/enforcement', '/v1/enforcement?mismatches=yes', 400),
  get('a replay', '/v1/replays/:id', '/v1/replays/1', 200),
  get('a replay that does not exist', '/v1/replays/:id', '/v1/replays/999', 404),
  get('a replay id that is not one', '/v1/replays/:id', '/v1/replays/abc', 400),
  get('the document', '/openapi.json', '/openapi.json', 200),
  get('the document without a token', '/openapi.json', '/openapi.json', 401, {}),
  get('liveness', '/healthz', '/healthz', 200, {}),
  get('readiness', '/readyz', '/readyz', 200, {}),
  get('metrics', '/metrics', '/metrics', 200, {}),
];

describe('OpenAPI document against real responses', () => {
  const check = new OpenApiCheck();
  let store: Store;
  let t: TestApp;
  beforeAll(async () => {
    store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
    t = testApp(store, NOW, { auth });
    // Verdicts to read: a namespaced WouldDeny and a cluster-scoped Allow for each flow.
    await store.ingest(batch([observation({ at: '2026-03-01T08:30:00.000Z', dst: { ...observation().dst, ip: '10.9.9.9', pod: '' } })]), NOW);
    await judgePending(store, NOW, () => [
      verdict(),
      verdict({ verdict: 'Allow', policy: { uid: 'c1', kind: 'AuditClusterNetworkPolicy', namespace: '', name: 'base', generation: 2 } }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await store.close();
  });

  it('validates the FlowBatch and ReplayRequest bodies the calls send', () => {
    expect(check.request('POST', '/v1/flows', FLOW_BATCH).problems).toEqual([]);
    expect(check.request('POST', '/v1/replays', REPLAY).problems).toEqual([]);
    // The schemas are not vacuous: a wrong body fails them.
    expect(check.request('POST', '/v1/flows', { ...FLOW_BATCH, flows: [{ ...observation(), count: 0 }] }).ok).toBe(false);
    expect(check.request('POST', '/v1/replays', { policy: REPLAY.policy }).ok).toBe(false);
  });

  it.each(CALLS)('$method $url ($title): $status, as documented', async ({ method, route, url, body, headers, status }) => {
    const r = method === 'GET' ? await t.get(url, headers) : await t.post(url, body, headers);
    const type = (r.headers.get('content-type') ?? '').split(';')[0]!;
    const parsed: unknown = type === 'application/json' ? await r.json() : await r.text();
    expect(r.status, JSON.stringify(parsed)).toBe(status);
    expect(check.response(method, route, r.status, type, parsed).problems).toEqual([]);
  });

  it.each([
    { route: '/v1/flows', body: FLOW_BATCH },
    { route: '/v1/replays', body: REPLAY },
  ])('POST $route as text/plain: 415, as documented', async ({ route, body }) => {
    const r = await t.app.request(route, { method: 'POST', body: JSON.stringify(body), headers: { ...AS_READER, 'Content-Type': 'text/plain' } });
    expect(r.status).toBe(415);
    expect(check.response('POST', route, 415, 'application/json', await r.json()).problems).toEqual([]);
  });

  // The document and the server agree on the rules between fields, so a schema-driven client
  // (openapi-fuzz.int.test.ts) never builds a body the server refuses, nor the reverse.
  it.each([
    { kind: 'AuditNetworkPolicy', namespace: 'prod', ok: true },
    { kind: 'AuditNetworkPolicy', namespace: '', ok: false },
    { kind: 'AuditNetworkPolicy', namespace: 'Prod_1', ok: false },
    { kind: 'AuditClusterNetworkPolicy', namespace: '', ok: true },
    { kind: 'AuditClusterNetworkPolicy', namespace: 'prod', ok: false },
  ])('ReplayPolicy: $kind in namespace "$namespace" is valid: $ok, for the document and the server alike', ({ kind, namespace, ok }) => {
    const policy = { uid: 'uid-1', kind, namespace, name: 'p', generation: 1 };
    expect(check.component('ReplayPolicy', policy).ok).toBe(ok);
    expect(replayRequestSchema.safeParse({ policy, since: '2026-01-02T15:04:05Z' }).success).toBe(ok);
  });

  it('GET /readyz without a database: 503, as documented', async () => {
    const down = testApp({ ...store, ping: () => Promise.reject(new Error('connection refused')) }, NOW);
    const r = await down.get('/readyz');
    expect(r.status).toBe(503);
    expect(check.response('GET', '/readyz', 503, 'application/json', await r.json()).problems).toEqual([]);
  });

  it('fails a real answer with a field the document does not describe (the check is not vacuous)', async () => {
    const page = (await (await t.get('/audit/verdicts?limit=1', AS_READER)).json()) as { verdicts: Record<string, unknown>[] };
    expect(check.response('GET', '/audit/verdicts', 200, 'application/json', page).ok).toBe(true);
    page.verdicts[0]!.undocumented = 1;
    expect(check.response('GET', '/audit/verdicts', 200, 'application/json', page).problems.join()).toMatch(/additional properties/);
    expect(check.response('GET', '/audit/verdicts', 418, 'application/json', page).problems.join()).toMatch(/not documented/);
  });

  it('GET /audit/verdicts/stream: each event is a documented verdict event whose data is a Verdict', async () => {
    const r = await t.get('/audit/verdicts/stream?after_id=0', AS_READER);
    expect(r.status).toBe(200);
    const events = await readEvents(r, 2);
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(check.response('GET', '/audit/verdicts/stream', 200, 'text/event-stream', { ...e }).problems).toEqual([]);
      expect(check.component('Verdict', JSON.parse(e.data)).problems).toEqual([]);
    }
    // The document's event is not a bare Verdict (what it used to say).
    expect(check.response('GET', '/audit/verdicts/stream', 200, 'text/event-stream', JSON.parse(events[0]?.data ?? '{}')).ok).toBe(false);
  });

  it('covers every documented operation with at least one real call', () => {
    const called = new Set([...CALLS.map((c) => `${c.method} ${c.route}`), 'GET /audit/verdicts/stream']);
    const documented = Object.entries(OPENAPI.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(documented.filter((d) => !called.has(d))).toEqual([]);
  });
});
