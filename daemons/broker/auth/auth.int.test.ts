/**
 * Bearer-token auth against the real test API server: real ServiceAccount tokens, real RBAC, the
 * broker's TokenReview and SubjectAccessReview through @kubernetes/client-node. Whatever the
 * API server's RBAC says about a ServiceAccount, the broker does.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig, kubectl } from '../../../test/kube/client.js';
import { applyManifest } from '../../../test/kube/manifest.js';
import { createTestNamespace, deleteTestNamespace } from '../../../test/kube/namespace.js';
import { grant, manifest, RULES, serviceAccounts } from '../../../test/kube/rbac.js';
import { systemClock } from '../../../runtime/clock.js';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { cachingAuthenticator } from '../../../runtime/auth/caching-authenticator.js';
import { kubernetesReviews } from '../../../runtime/auth/kubernetes-reviews.js';
import { serviceAccountToken } from '../../../test/kube/service-account-token.js';

const tokenFor = serviceAccountToken;

describe('auth against the real API server', () => {
  let kc: KubeConfig;
  let ns: string;
  let other: string;
  let store: Store;
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    kc = kubeConfig();
    ns = await createTestNamespace(kc, 'kg-auth');
    other = await createTestNamespace(kc, 'kg-auth-other');
    await applyManifest(
      kc,
      manifest(serviceAccounts('reader', 'agent', 'nobody'), grant({ role: 'verdict-reader', namespace: ns, to: ['reader'], rules: [RULES.readVerdicts] })),
      ns,
    );
    await applyManifest(kc, grant({ role: 'flow-writer', namespace: ns, to: ['agent'], rules: [RULES.writeFlows], cluster: true }));
    for (const sa of ['reader', 'agent', 'nobody']) tokens[sa] = await tokenFor(kc, ns, sa);
    store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION);
    // No caching here: each request asks the API server, which is what is under test.
    t = testApp(store, new Date(), { auth: cachingAuthenticator(kubernetesReviews(kc), { clock: systemClock, ttlMs: 1, negativeTtlMs: 1 }) });
  }, 180_000);

  afterAll(async () => {
    await store.close();
    await deleteTestNamespace(kc, ns);
    await deleteTestNamespace(kc, other);
  });

  const as = (sa: string) => ({ Authorization: `Bearer ${tokens[sa] ?? ''}` });

  it.each([
    { who: 'reader', route: 'verdicts', where: 'its namespace', status: 200 },
    { who: 'reader', route: 'summary', where: 'its namespace', status: 200 },
    { who: 'reader', route: 'verdicts', where: 'another namespace', status: 403 },
    { who: 'reader', route: 'verdicts', where: 'all namespaces', status: 403 }, // cluster-wide needs a ClusterRole
    { who: 'agent', route: 'verdicts', where: 'its namespace', status: 403 },
    { who: 'nobody', route: 'verdicts', where: 'its namespace', status: 403 },
  ])('$who reading $route in $where: $status', async ({ who, route, where, status }) => {
    const query = where === 'its namespace' ? `?namespace=${ns}` : where === 'another namespace' ? `?namespace=${other}` : '';
    expect((await t.get(`/audit/${route}${query}`, as(who))).status).toBe(status);
  });

  it('refuses a token the API server does not know', async () => {
    const r = await t.get(`/audit/verdicts?namespace=${ns}`, { Authorization: 'Bearer not-a-real-token' });
    expect(r.status).toBe(401);
  });

  // The API description needs a caller the API server knows, and nothing more: even `nobody`, who may read nothing.
  it.each([
    { who: 'no token', status: 401 },
    { who: 'an unknown token', status: 401 },
    { who: 'nobody', status: 200 },
    { who: 'agent', status: 200 },
  ])('/openapi.json for $who: $status', async ({ who, status }) => {
    const headers: Record<string, string> = who === 'no token' ? {} : who === 'an unknown token' ? { Authorization: 'Bearer not-a-real-token' } : as(who);
    const r = await t.get('/openapi.json', headers);
    expect(r.status).toBe(status);
    const body = (await r.json()) as { openapi?: string; field?: string };
    if (status === 200) expect(body.openapi).toBe('3.1.0');
    else expect(body.field).toBe('Authorization');
  });

  it('lets the agent write flows and not the reader', async () => {
    expect((await t.post('/v1/flows', batch([observation({ at: new Date().toISOString() })]), as('agent'))).status).toBe(200);
    expect((await t.post('/v1/flows', batch([observation({ at: new Date().toISOString() })]), as('reader'))).status).toBe(403);
  });

  // `kubectl auth can-i get auditverdicts.kguardian.dev` cannot be used here: kubectl resolves the
  // resource through discovery, and as no API serves auditverdicts it sends the whole string as a
  // resource of the core group. So the reference is the API server's own answer, asked with kubectl.
  it('agrees with what the API server answers kubectl for the same question', async () => {
    for (const [sa, where, expected] of [['reader', ns, 'true'], ['reader', other, 'false'], ['agent', ns, 'false']] as const) {
      const review = JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${ns}:${sa}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
          resourceAttributes: { group: 'kguardian.dev', resource: 'auditverdicts', verb: 'get', namespace: where },
        },
      });
      const r = await kubectl(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], review);
      expect(`${r.stdout.trim()}${r.stderr.trim()}`).toBe(expected);
      const broker = await t.get(`/audit/verdicts?namespace=${where}`, as(sa));
      expect(broker.status).toBe(expected === 'true' ? 200 : 403);
    }
  });
});
