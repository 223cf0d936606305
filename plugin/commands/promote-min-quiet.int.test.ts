/**
 * `audit promote --min-quiet` against the real API server and a real broker: the quiet period is
 * judged from the broker's verdict history (GET /audit/summary by the policy's uid over the
 * period), not from the evaluator's status window, which is 1h on a default install and used to
 * make `--min-quiet 24h` refuse every policy. Also: the broker's answer is asked for in the
 * policy's namespace (a namespaced reader suffices), a same-named policy with another uid does
 * not count, and a broker that cannot be read refuses with the next step unless --force.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startBroker, type Broker } from '../../daemons/broker/testing/broker-process.js';
import { batch, observation } from '../../daemons/broker/testing/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../daemons/broker/testing/test-database.js';
import { judgePending } from '../../daemons/broker/testing/test-app.js';
import { openStore } from '../../daemons/broker/store/open-store.js';
import { DEFAULT_RETENTION } from '../../daemons/broker/store/sql-store.js';
import type { NewVerdict, Store } from '../../daemons/broker/store/types.js';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { grant, manifest, RULES, serviceAccounts } from '../../test/kube/rbac.js';
import { ANP, type AuditPolicy } from '../kube/objects.js';
import { cli, createAudit, evaluatedStatus, writeStatus } from '../testing/test-cluster.js';
import { serviceAccountToken } from '../../test/kube/service-account-token.js';

const HOUR = 3_600_000;
const SPEC = { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] };

let kc: KubeConfig;
let db: TestDatabase;
let store: Store;
let broker: Broker;
let ns: string;
let reader: string;
let nobody: string;
let seq = 0;

const RBAC = (namespace: string): string =>
  manifest(serviceAccounts('reader', 'nobody'), grant({ role: 'verdict-reader', namespace, to: ['reader'], rules: [RULES.readVerdicts] }));

const tokenFor = (name: string): Promise<string> => serviceAccountToken(kc, ns, name);

/** A policy synced at its generation with a quiet 1h window (the chart's default) in its status. */
async function quietPolicy(name: string): Promise<AuditPolicy> {
  const p = await createAudit(kc, ANP, { metadata: { name, namespace: ns }, spec: SPEC });
  return writeStatus(kc, ANP, p, evaluatedStatus(p.metadata.generation ?? 1, { window: '1h' }));
}

/** One observation of web -> db `hoursAgo` before now, judged `verdict` for the policy with this uid, as the broker stores it. */
async function recorded(p: AuditPolicy, hoursAgo: number, verdict: NewVerdict['verdict'], uid = p.metadata.uid ?? ''): Promise<void> {
  const pod = `web-${++seq}`;
  const at = new Date(Date.now() - hoursAgo * HOUR).toISOString();
  await store.ingest(
    batch([observation({ at, src: { ip: '10.244.8.1', port: 40000 + seq, kind: 'pod', namespace: ns, pod }, dst: { ip: '10.244.8.2', port: 5432, kind: 'pod', namespace: ns, pod: 'db-0' }, direction: 'Ingress' })]),
    new Date(),
  );
  const v: NewVerdict = { policy: { uid, kind: 'AuditNetworkPolicy', namespace: ns, name: p.metadata.name, generation: p.metadata.generation ?? 1 }, direction: 'Ingress', verdict, reason: 'seeded' };
  await judgePending(store, new Date(), (f) => (f.src.pod === pod ? [v] : []));
}

const promote = (name: string, ...extra: string[]): ReturnType<typeof cli> =>
  cli(kubeconfigPath(), ['audit', 'promote', name, '-n', ns, '--broker-url', broker.url, ...extra]);

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  ns = await createTestNamespace(kc, 'min-quiet');
  await applyManifest(kc, RBAC(ns), ns);
  reader = await tokenFor('reader');
  nobody = await tokenFor('nobody');
  db = await createTestDatabase(inject('databaseUrl'), 'plugin_min_quiet');
  store = await openStore({ databaseUrl: db.url, poolSize: 2, retention: DEFAULT_RETENTION });
  // Tokens are checked against the test API server (TokenReview, SubjectAccessReview), as in a cluster.
  broker = await startBroker({ DATABASE_URL: db.url, AUTH_MODE: 'kubernetes', KUBECONFIG: kubeconfigPath() });
});

afterAll(async () => {
  await broker.kill();
  await store.close();
  await db.drop();
});

let name: string;
beforeEach(() => {
  name = `db-ingress-${++seq}`;
});

describe('--min-quiet asks the broker', () => {
  it('a policy quiet for 24h per the broker promotes, although its status window is only 1h', async () => {
    const p = await quietPolicy(name);
    await recorded(p, 0.5, 'Allow');
    await recorded(p, 20, 'Allow');
    const r = await promote(name, '--min-quiet', '24h', '--token', reader);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect((yaml.load(r.out) as { metadata: { name: string } }).metadata.name).toBe(name);
  });

  it.each([
    { quiet: '24h', code: 4 },
    { quiet: '2h', code: 0 },
  ])('a would-deny 3h ago: --min-quiet $quiet exits $code', async ({ quiet, code }) => {
    const p = await quietPolicy(name);
    await recorded(p, 3, 'WouldDeny');
    await recorded(p, 0.5, 'Allow');
    const r = await promote(name, '--min-quiet', quiet, '--token', reader);
    expect(r.code).toBe(code);
    if (code === 4) {
      expect(r.out).toBe('');
      expect(r.err).toContain(`error: refusing to promote AuditNetworkPolicy ${ns}/${name}:\n  - 1 flow observation in the last 24h would be denied (the broker's verdict history, any generation of the policy)\n`);
    } else expect(r.err).toBe('');
  });

  it('a would-deny of an earlier object with the same name (another uid) does not count', async () => {
    const p = await quietPolicy(name);
    await recorded(p, 2, 'WouldDeny', 'uid-of-a-deleted-predecessor');
    await recorded(p, 1.5, 'Allow');
    const r = await promote(name, '--min-quiet', '24h', '--token', reader);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('no traffic at all in the period: promoted, with a warning that nothing was tested', async () => {
    await quietPolicy(name);
    const r = await promote(name, '--min-quiet', '24h', '--token', reader);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`warning: AuditNetworkPolicy ${ns}/${name}: the broker recorded no traffic for it in the last 24h: quiet, but nothing was tested\n`);
  });
});

describe('--min-quiet when the broker cannot be read', () => {
  it.each([
    { what: 'a token without RBAC', args: (): string[] => ['--token', nobody], cause: /forbidden \(403.*needs RBAC permission `get auditverdicts.kguardian.dev` in namespace / },
    { what: 'no broker at the URL', args: (): string[] => ['--broker-url', 'http://127.0.0.1:1', '--token', reader], cause: /cannot reach the broker at http:\/\/127\.0\.0\.1:1/ },
  ])('$what: refuses (exit 4) naming the cause and the next step; --force promotes anyway', async ({ args, cause }) => {
    await quietPolicy(name);
    const r = await promote(name, '--min-quiet', '24h', ...args());
    expect(r.code).toBe(4);
    expect(r.out).toBe('');
    expect(r.err).toContain(`error: refusing to promote AuditNetworkPolicy ${ns}/${name}:\n  - --min-quiet 24h is judged from the broker's verdict history, which could not be read: `);
    expect(r.err).toMatch(cause);
    expect(r.err).toContain('Make the broker reachable (--broker-url, or --broker-namespace/--broker-service and --token), or leave out --min-quiet');
    expect(r.err).not.toMatch(/\n\s+at /);
    const forced = await promote(name, '--min-quiet', '24h', '--force', ...args());
    expect(forced.code).toBe(0);
    expect(forced.err).toContain('despite (--force)');
  });

  it('without --min-quiet the broker is not asked at all', async () => {
    await quietPolicy(name);
    const r = await promote(name, '--broker-url', 'http://127.0.0.1:1');
    expect(r).toMatchObject({ code: 0, err: '' });
  });
});
