/**
 * The OpenAPI document matches the app: same routes and methods, every documented query parameter
 * is one the route reads, and every parameter a route reads is documented. (Bodies and answers
 * are checked against the schemas in openapi-responses.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { OPENAPI, PATH_FAMILIES } from './openapi.js';
import { QueryReader } from './query-params.js';

type Operation = { parameters?: readonly { name: string; in: string }[] };
const documented = Object.entries(OPENAPI.paths).flatMap(([path, ops]) =>
  // OpenAPI writes path parameters as {id}, Hono as :id.
  Object.entries(ops as Record<string, Operation>).map(([method, op]) => ({ path: path.replace(/\{(\w+)\}/g, ':$1'), method: method.toUpperCase(), op })),
);

/** The JSON API's routes: the web view's static files under /ui are pages, not API operations. */
const apiRoutes = (routes: readonly { method: string; path: string }[]): { method: string; path: string }[] =>
  routes.filter((r) => r.method !== 'ALL' && r.path !== '/ui' && !r.path.startsWith('/ui/'));

describe('OpenAPI paths: every one in a named family', () => {
  const familiesOf = (path: string): number[] => PATH_FAMILIES.flatMap((f, i) => (f.pattern.test(path) ? [i] : []));

  it.each(Object.entries(OPENAPI.paths).map(([path, ops]) => ({ path, methods: Object.keys(ops) })))('$path is in exactly one family and serves only its methods', ({ path, methods }) => {
    const families = familiesOf(path);
    expect(families).toHaveLength(1);
    const family = PATH_FAMILIES[families[0]!]!;
    expect(methods.filter((m) => !family.methods.includes(m))).toEqual([]);
  });

  it.each([
    { path: '/audit/verdicts', family: 0 },
    { path: '/audit/summary', family: 0 },
    { path: '/v1/flows', family: 1 },
    { path: '/v1/replays/{id}', family: 1 },
    { path: '/healthz', family: 2 },
    { path: '/openapi.json', family: 2 },
    // Paths the rule does not name: a new route here fails the row above until a family takes it.
    { path: '/flows', family: undefined },
    { path: '/v2/flows', family: undefined },
    { path: '/api/verdicts', family: undefined },
    { path: '/healthz/deep', family: undefined },
    { path: '/audit', family: undefined },
  ])('$path belongs to family $family', ({ path, family }) => {
    expect(familiesOf(path)).toEqual(family === undefined ? [] : [family]);
  });

  it('states every family in info.description', () => {
    for (const f of PATH_FAMILIES) expect(OPENAPI.info.description).toContain(f.rule);
  });
});

describe('OpenAPI document', () => {
  let store: Store;
  let t: TestApp;
  beforeAll(async () => {
    store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION);
    t = testApp(store, new Date());
  }, 120_000);
  afterAll(async () => {
    await store.close();
  });

  it('lists exactly the routes the app serves', () => {
    const served = new Set(apiRoutes(t.app.routes).map((r) => `${r.method} ${r.path}`));
    expect(new Set(documented.map((d) => `${d.method} ${d.path}`))).toEqual(served);
  });

  const queryParams = documented.filter((d) => d.method === 'GET').flatMap((d) => (d.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ path: d.path, name: p.name })));

  it.each(queryParams)('$path reads the documented parameter $name', async ({ path, name }) => {
    // A nonsense value is refused (or accepted), but never as an unknown parameter.
    const r = await t.get(`${path}?${name}=%00nonsense`);
    const isJson = r.headers.get('content-type')?.includes('json') ?? false;
    const body = isJson ? ((await r.json()) as { error?: string }) : {};
    if (!isJson) await r.body?.cancel(); // a stream that was accepted
    expect(body.error ?? '').not.toMatch(/unknown query parameter/);
  });

  // Routes read their query through QueryReader, whose every typed read goes through get(name):
  // watching get() lists the names a route asks for. With no query at all nothing is refused, so
  // each route reads all of its parameters.
  // One entry per route (Hono lists a route's middleware and handler separately).
  const served = (): { method: string; path: string }[] =>
    [...new Set(apiRoutes(t.app.routes).map((r) => `${r.method} ${r.path}`))].map((k) => {
      const [method = '', path = ''] = k.split(' ');
      return { method, path };
    });

  it('documents every query parameter each route reads', async () => {
    const get = vi.spyOn(QueryReader.prototype, 'get');
    try {
      const undocumented: string[] = [];
      for (const { method, path } of served()) {
        get.mockClear();
        const url = path.replace(':id', '1');
        const r = method === 'GET' ? await t.get(url) : await t.post(url, {});
        await r.body?.cancel(); // the stream's answer never ends by itself
        const read = new Set(get.mock.calls.map(([name]) => name));
        const op = documented.find((d) => d.method === method && d.path === path)?.op;
        const inDoc = new Set((op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
        undocumented.push(...[...read].filter((n) => !inDoc.has(n)).map((n) => `${method} ${path} reads ${n}`));
      }
      expect(undocumented).toEqual([]);
      // Not vacuous: the reads were seen (the verdict list alone asks for eight names).
      expect(get.mock.calls.length).toBeGreaterThan(0);
    } finally {
      get.mockRestore();
    }
  });

  it('documents every field of the summary answer', async () => {
    const body = (await (await t.get('/audit/summary')).json()) as Record<string, unknown>;
    const props = (OPENAPI.components.schemas.Summary as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(body).sort()).toEqual(Object.keys(props).sort());
  });

  it('refuses a parameter it does not document', async () => {
    const r = await t.get('/audit/verdicts?bogus=1');
    expect(await r.json()).toEqual({ error: 'unknown query parameter "bogus"', field: 'bogus' });
  });
});
