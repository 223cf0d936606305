/**
 * Bearer-token checks through the app, with a fake ReviewApi standing in for the API server:
 * 401 without or with a bad token, 403 when not allowed, namespaced checks for namespaced
 * queries, agents limited to writing flows, decisions cached briefly, 503 when the API server
 * cannot be asked. (auth.int.test.ts runs the real reviews against a real API server.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../runtime/clock.js';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { cachingAuthenticator } from '../../../runtime/auth/caching-authenticator.js';
import type { ReviewApi } from '../../../runtime/auth/kubernetes-reviews.js';
import { bearerToken } from '../../../runtime/auth/require-access.js';
import type { Access, Identity } from '../../../runtime/auth/types.js';

const NOW = new Date('2026-03-01T10:30:00.000Z');

/** Tokens: `reader` may read verdicts in prod only, `admin` everywhere, `agent` may only create flows. */
function fakeReviews(): ReviewApi & { calls: string[]; broken: boolean } {
  const users: Record<string, Identity> = {
    'tok-reader': { username: 'alice', groups: ['dev'] },
    'tok-admin': { username: 'root', groups: ['system:masters'] },
    'tok-agent': { username: 'system:serviceaccount:kguardian:agent', groups: [] },
    'tok-evaluator': { username: 'system:serviceaccount:kguardian:evaluator', groups: [] },
  };
  const api = {
    calls: [] as string[],
    broken: false,
    tokenReview(token: string): Promise<Identity | null> {
      api.calls.push(`token ${token}`);
      if (api.broken) return Promise.reject(new Error('connection refused'));
      return Promise.resolve(users[token] ?? null);
    },
    accessReview(who: Identity, a: Access): Promise<boolean> {
      api.calls.push(`access ${who.username} ${a.verb} ${a.resource} ${a.namespace ?? '*'}`);
      if (who.username === 'root') return Promise.resolve(true);
      if (who.username === 'alice') return Promise.resolve(a.resource === 'auditverdicts' && a.verb === 'get' && a.namespace === 'prod');
      if (who.username.endsWith(':evaluator')) return Promise.resolve(a.resource === 'replays' && a.namespace === undefined);
      return Promise.resolve(a.resource === 'flows' && a.verb === 'create');
    },
  };
  return api;
}

describe('bearer token auth', () => {
  let store: Store;
  let t: TestApp;
  const reviews = fakeReviews();
  const clock = fixedClock(NOW);
  beforeAll(async () => {
    store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
    t = testApp(store, NOW, { auth: cachingAuthenticator(reviews, { clock, ttlMs: 10_000, negativeTtlMs: 1_000 }) });
  }, 120_000);
  afterAll(async () => {
    await store.close();
  });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it.each<{ title: string; path: string; headers: Record<string, string>; status: number }>([
    { title: 'no token', path: '/audit/verdicts?namespace=prod', headers: {}, status: 401 },
    { title: 'a malformed header', path: '/audit/verdicts?namespace=prod', headers: { Authorization: 'Basic abc' }, status: 401 },
    { title: 'an unknown token', path: '/audit/verdicts?namespace=prod', headers: bearer('nope'), status: 401 },
    { title: 'a reader in its namespace', path: '/audit/verdicts?namespace=prod', headers: bearer('tok-reader'), status: 200 },
    { title: 'a reader in another namespace', path: '/audit/verdicts?namespace=kube-system', headers: bearer('tok-reader'), status: 403 },
    { title: 'a reader cluster-wide', path: '/audit/verdicts', headers: bearer('tok-reader'), status: 403 },
    { title: 'a reader on the summary', path: '/audit/summary?namespace=prod', headers: bearer('tok-reader'), status: 200 },
    { title: 'an agent reading verdicts', path: '/audit/verdicts?namespace=prod', headers: bearer('tok-agent'), status: 403 },
    { title: 'an agent reading flows', path: '/v1/flows', headers: bearer('tok-agent'), status: 403 },
    { title: 'an admin cluster-wide', path: '/audit/verdicts', headers: bearer('tok-admin'), status: 200 },
    { title: 'anyone on /healthz', path: '/healthz', headers: {}, status: 200 },
    { title: 'anyone on /metrics', path: '/metrics', headers: {}, status: 200 },
  ])('GET with $title: $status', async ({ path, headers, status }) => {
    const r = await t.get(path, headers);
    expect(r.status).toBe(status);
    if (status === 401) expect(await r.json()).toMatchObject({ field: 'Authorization' });
  });

  it('lets agents write flows and nobody else', async () => {
    const b = batch([observation()]);
    expect((await t.post('/v1/flows', b, bearer('tok-agent'))).status).toBe(200);
    expect((await t.post('/v1/flows', batch([observation()]), bearer('tok-reader'))).status).toBe(403);
    // The token is checked before the body is even read.
    expect((await t.post('/v1/flows', 'garbage', {})).status).toBe(401);
  });

  it('lets the evaluator create and read replays (cluster-scoped) and nobody without the right', async () => {
    const body = { policy: { uid: 'u-1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'web', generation: 2 }, since: '2026-03-01T10:00:00Z' };
    const created = await t.post('/v1/replays', body, bearer('tok-evaluator'));
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: number };
    expect((await t.get(`/v1/replays/${id}`, bearer('tok-evaluator'))).status).toBe(200);
    expect((await t.post('/v1/replays', body, bearer('tok-reader'))).status).toBe(403);
    expect((await t.post('/v1/replays', body, bearer('tok-agent'))).status).toBe(403);
    expect((await t.get(`/v1/replays/${id}`, bearer('tok-reader'))).status).toBe(403);
    expect((await t.get(`/v1/replays/${id}`, {})).status).toBe(401);
    expect((await t.post('/v1/replays', 'garbage', {})).status).toBe(401);
    expect(reviews.calls).toContain('access system:serviceaccount:kguardian:evaluator create replays *');
  });

  it('caches decisions for a short time, refusals more briefly than grants', async () => {
    reviews.calls.length = 0;
    await t.get('/audit/verdicts?namespace=prod', bearer('tok-reader'));
    await t.get('/audit/verdicts?namespace=prod', bearer('tok-reader'));
    await t.get('/audit/verdicts?namespace=kube-system', bearer('tok-reader'));
    await t.get('/audit/verdicts?namespace=kube-system', bearer('tok-reader'));
    expect(reviews.calls).toEqual([]); // all cached from the table test above
    clock.advance(1_500); // refusals expired, grants not
    await t.get('/audit/verdicts?namespace=prod', bearer('tok-reader'));
    await t.get('/audit/verdicts?namespace=kube-system', bearer('tok-reader'));
    expect(reviews.calls).toEqual(['access alice get auditverdicts kube-system']);
    clock.advance(10_000);
    reviews.calls.length = 0;
    await t.get('/audit/verdicts?namespace=prod', bearer('tok-reader'));
    expect(reviews.calls).toEqual(['token tok-reader', 'access alice get auditverdicts prod']);
  });

  it('answers 503, not a grant, when the API server cannot be asked', async () => {
    reviews.broken = true;
    try {
      const r = await t.get('/audit/verdicts', bearer('tok-never-seen'));
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: string }).error).toMatch(/cannot check the token/);
    } finally {
      reviews.broken = false;
    }
  });

  it.each([
    { header: 'Bearer abc', token: 'abc' },
    { header: 'bearer  abc ', token: 'abc' },
    { header: 'Bearer', token: undefined },
    { header: 'Bearer a b', token: undefined },
    { header: 'Token abc', token: undefined },
  ])('reads the token of "$header"', ({ header, token }) => {
    expect(bearerToken(header)).toBe(token);
  });
});
