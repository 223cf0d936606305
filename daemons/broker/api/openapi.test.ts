/** The OpenAPI document matches the app: same routes and methods, and every documented query parameter is one the route reads. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { OPENAPI } from './openapi.js';

type Operation = { parameters?: readonly { name: string; in: string }[] };
const documented = Object.entries(OPENAPI.paths).flatMap(([path, ops]) =>
  // OpenAPI writes path parameters as {id}, Hono as :id.
  Object.entries(ops as Record<string, Operation>).map(([method, op]) => ({ path: path.replace(/\{(\w+)\}/g, ':$1'), method: method.toUpperCase(), op })),
);

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
    const served = new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
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
