/**
 * Query times far out: a look-back of 999999 days, a year-0001 time with a positive offset (year 0
 * in UTC), a year-9999 time with a negative one (year 10000) are valid by the document but outside
 * what PostgreSQL's timestamptz stores; they were 500s. They select what the earliest or latest
 * storable time selects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { QueryReader } from './query-params.js';

const NOW = new Date('2026-12-03T12:00:00.000Z');

describe('query times outside the years PostgreSQL stores', () => {
  it.each([
    { v: '999999d', want: '0001-01-01T00:00:00.000Z' },
    { v: '0000-01-01T00:00:00Z', want: '0001-01-01T00:00:00.000Z' },
    { v: '0001-01-01T00:00:00+23:59', want: '0001-01-01T00:00:00.000Z' },
    { v: '9999-12-31T23:59:59-23:59', want: '9999-12-31T23:59:59.999Z' },
    { v: '2026-01-02T15:04:05Z', want: '2026-01-02T15:04:05.000Z' },
    { v: '15m', want: '2026-12-03T11:45:00.000Z' },
    // The one duration grammar (runtime/duration.ts), as the plugin's --since takes it.
    { v: '1h30m', want: '2026-12-03T10:30:00.000Z' },
    { v: '1.5h', want: '2026-12-03T10:30:00.000Z' },
    { v: '1d12h', want: '2026-12-02T00:00:00.000Z' },
    { v: '90s', want: '2026-12-03T11:58:30.000Z' },
    { v: '0h90s', want: '2026-12-03T11:58:30.000Z' },
    // Under a millisecond, the broker's resolution: still before now.
    { v: '1ns', want: '2026-12-03T11:59:59.999Z' },
    { v: '0.00000000000000000000000000000000001ns', want: '2026-12-03T11:59:59.999Z' },
  ])('since=$v reads as $want', ({ v, want }) => {
    expect(new QueryReader({ since: [v] }, NOW).time('since')?.toISOString()).toBe(want);
  });

  describe('through the routes', () => {
    let store: Store;
    let t: TestApp;
    beforeAll(async () => {
      store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION);
      t = testApp(store, NOW);
    }, 120_000);
    afterAll(async () => {
      await store.close();
    });

    it.each([
      '/v1/flows?since=999999d',
      '/v1/flows?since=0001-01-01T00:00:00%2B23:59',
      '/v1/flows?until=9999-12-31T23:59:59-23:59',
      '/audit/verdicts?since=999999d',
      '/audit/verdicts?since=0000-01-01T00:00:00Z&until=9999-12-31T23:59:59-23:59',
    ])('GET %s answers 200', async (path) => {
      const r = await t.get(path);
      expect(r.status, await r.clone().text()).toBe(200);
    });

    it.each([
      '/v1/flows?since=1h30x',
      '/v1/flows?since=1h%2030m',
      '/v1/flows?since=-1h',
      '/audit/verdicts?since=1.h',
      `/audit/verdicts?since=${'1'.repeat(40)}s`,
    ])('GET %s answers 400 naming since', async (path) => {
      const r = await t.get(path);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ field: 'since' });
    });

    // Look-backs and windows read the plugin's grammar, and are more than zero: "the last 0s" is
    // nothing to read, and on /v1/enforcement (until: now) it was a 400 naming until, a field not given.
    it.each([
      '/v1/enforcement?since=1h30m',
      '/v1/enforcement?since=1ns',
      '/v1/enforcement?since=1.5h&until=0h30m',
      '/audit/summary?policy=p&namespace=prod&window=1h30m',
      '/audit/summary?policy=p&namespace=prod&window=1.5h',
      '/audit/summary?policy=p&namespace=prod&window=0h15m',
    ])('GET %s answers 200', async (path) => {
      const r = await t.get(path);
      expect(r.status, await r.clone().text()).toBe(200);
    });

    it.each([
      { path: '/v1/enforcement?since=0ns', field: 'since' },
      { path: '/v1/enforcement?since=0s', field: 'since' },
      { path: '/v1/enforcement?since=0.00000000000000000000000000000000000ns', field: 'since' },
      { path: '/v1/flows?since=0', field: 'since' },
      { path: '/audit/verdicts?since=1h&until=0m', field: 'until' },
      { path: '/audit/summary?policy=p&namespace=prod&window=0s', field: 'window' },
      { path: '/audit/summary?policy=p&namespace=prod&window=0', field: 'window' },
      { path: '/audit/summary?policy=p&namespace=prod&window=7d1s', field: 'window' },
      { path: `/audit/summary?policy=p&namespace=prod&window=${'1'.repeat(40)}ns`, field: 'window' },
    ])('GET $path answers 400 naming $field', async ({ path, field }) => {
      const r = await t.get(path);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ field });
    });
  });
});
