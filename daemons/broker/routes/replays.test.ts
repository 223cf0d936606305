/** POST and GET of /v1/replays through the app on PGlite: creation, idempotence, validation, lookups. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { testApp, type TestApp } from '../testing/test-app.js';

const NOW = new Date('2026-03-01T10:30:00.000Z');
const policy = { uid: '6f1c2d3e-aaaa-bbbb-cccc-000000000001', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'payments', generation: 3 };

describe('replay API', () => {
  let store: Store;
  let t: TestApp;
  let woken = 0;
  beforeAll(async () => {
    store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
    t = testApp(store, NOW, {
      onReplayCreated: () => {
        woken++;
      },
    });
  }, 120_000);
  afterAll(async () => {
    await store.close();
  });

  it('creates a job (202, Running, wakes the worker) and answers the same uid and generation with it (200)', async () => {
    const r1 = await t.post('/v1/replays', { policy, since: '2026-03-01T09:30:00Z' });
    expect(r1.status).toBe(202);
    const job = (await r1.json()) as { id: number };
    expect(job).toEqual({
      id: job.id, policy, since: '2026-03-01T09:30:00.000Z', until: NOW.toISOString(), state: 'Running',
      flowsScanned: 0, flowsTotal: null, verdicts: 0,
    });
    expect(woken).toBe(1);
    const r2 = await t.post('/v1/replays', { policy, since: '2026-03-01T10:00:00Z' });
    expect([r2.status, ((await r2.json()) as { id: number }).id]).toEqual([200, job.id]);
    const got = await t.get(`/v1/replays/${job.id}`);
    expect([got.status, ((await got.json()) as { state: string }).state]).toEqual([200, 'Running']);
  });

  it('moves a since older than flow retention up to the oldest flow kept', async () => {
    const r = await t.post('/v1/replays', { policy: { ...policy, generation: 9 }, since: '2020-01-01T00:00:00Z' });
    expect(((await r.json()) as { since: string }).since).toBe('2026-02-22T10:30:00.000Z');
  });

  it.each([
    { title: 'invalid JSON', body: '{', field: 'body' },
    { title: 'no policy', body: { since: '2026-03-01T09:30:00Z' }, field: 'policy' },
    { title: 'no since', body: { policy }, field: 'since' },
    { title: 'a bad uid', body: { policy: { ...policy, uid: 'a b' }, since: '2026-03-01T09:30:00Z' }, field: 'policy.uid' },
    { title: 'a NetworkPolicy', body: { policy: { ...policy, kind: 'NetworkPolicy' }, since: '2026-03-01T09:30:00Z' }, field: 'policy.kind' },
    { title: 'a cluster policy with a namespace', body: { policy: { ...policy, kind: 'AuditClusterNetworkPolicy' }, since: '2026-03-01T09:30:00Z' }, field: 'policy.namespace' },
    { title: 'a namespaced policy without one', body: { policy: { ...policy, namespace: '' }, since: '2026-03-01T09:30:00Z' }, field: 'policy.namespace' },
    { title: 'a bad name', body: { policy: { ...policy, name: 'Payments' }, since: '2026-03-01T09:30:00Z' }, field: 'policy.name' },
    { title: 'generation 0', body: { policy: { ...policy, generation: 0 }, since: '2026-03-01T09:30:00Z' }, field: 'policy.generation' },
    { title: 'a fractional generation', body: { policy: { ...policy, generation: 1.5 }, since: '2026-03-01T09:30:00Z' }, field: 'policy.generation' },
    { title: 'a huge generation', body: { policy: { ...policy, generation: 1e300 }, since: '2026-03-01T09:30:00Z' }, field: 'policy.generation' },
    { title: 'a since that is not RFC 3339', body: { policy, since: '2026-03-01' }, field: 'since' },
    { title: 'a since on a day that does not exist', body: { policy, since: '2026-02-30T00:00:00Z' }, field: 'since' },
    { title: 'a since in the future', body: { policy, since: '2026-03-01T11:00:00Z' }, field: 'since' },
    { title: 'an array body', body: [], field: 'body' },
  ])('refuses $title with 400 naming $field', async ({ body, field }) => {
    const r = await t.post('/v1/replays', body);
    expect(r.status).toBe(400);
    const json = (await r.json()) as { error: string; field: string };
    expect(json.field).toBe(field);
    expect(json.error).toContain(field === 'body' ? '' : field);
  });

  it('refuses a body that is not JSON (415) or too large (413)', async () => {
    const r1 = await t.app.request('/v1/replays', { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } });
    expect([r1.status, ((await r1.json()) as { field: string }).field]).toEqual([415, 'Content-Type']);
    const r2 = await t.post('/v1/replays', 'x'.repeat(70_000));
    expect([r2.status, ((await r2.json()) as { field: string }).field]).toEqual([413, 'body']);
  });

  it.each([
    { path: '/v1/replays/999999', status: 404 },
    { path: '/v1/replays/0', status: 400 },
    { path: '/v1/replays/abc', status: 400 },
    { path: '/v1/replays/99999999999999999999', status: 400 },
  ])('GET $path answers $status naming id', async ({ path, status }) => {
    const r = await t.get(path);
    expect([r.status, ((await r.json()) as { field: string }).field]).toEqual([status, 'id']);
  });
});
