/**
 * What the web view benchmark reads: a real broker (createApp over PGlite, as the playground's
 * broker runs, the view built by its own build script, served on a port) behind the real
 * `kubectl kguardian ui` proxy, holding the playground's recorded traffic judged by the policy
 * engine against the playground's policy, so the page shows what the playground shows.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import yaml from 'js-yaml';
import { createApp } from '../../daemons/broker/app.js';
import { noAuth } from '../../runtime/auth/types.js';
import { systemClock } from '../../runtime/clock.js';
import { silentLogger } from '../../runtime/logger.js';
import { createMetrics } from '../../daemons/broker/metrics.js';
import { createPgliteClient } from '../../daemons/broker/store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../../daemons/broker/store/sql-store.js';
import type { SqlClient } from '../../daemons/broker/store/sql-client.js';
import type { NewVerdict, Store } from '../../daemons/broker/store/types.js';
import { batch } from '../../daemons/broker/testing/fixtures.js';
import { judgePending } from '../../daemons/broker/testing/test-app.js';
import { buildUi } from '../../daemons/broker/ui/build.js';
import { endName } from '../../contracts/flow-end-label.js';
import { ClusterState, evaluateFlow } from '../../policy/index.js';
import type { AuditPolicy } from '../../plugin/kube/objects.js';
import { evaluatedStatus } from '../../plugin/testing/test-cluster.js';
import { toUiPolicy } from '../../plugin/ui/policies.js';
import { startUiProxy, type UiProxy } from '../../plugin/ui/proxy.js';
import { loadRecording } from '../../playground/recorded.js';
import { DEFAULT_TRAFFIC, expectedCounts, PODS, POLICY_FILE } from '../../playground/scenario.js';

export interface UiBenchStack {
  store: Store;
  /** The store's own database, for writing verdicts faster than the flow path could judge them. */
  sql: SqlClient;
  proxy: UiProxy;
  policy: AuditPolicy;
  /** Verdict rows of the playground's data (one per flow row the policy judged). */
  verdictRows: number;
  close(): Promise<void>;
}

const NAMESPACES = ['web', 'shop', 'kube-system'];

/** The playground's recorded flows, their times moved to now, judged by the engine as the evaluator would. */
async function seedPlayground(store: Store, policy: AuditPolicy): Promise<{ rows: number; wouldDeny: number; allowed: number }> {
  const rec = loadRecording();
  const state = new ClusterState();
  for (const ns of NAMESPACES) state.upsertNamespace({ name: ns, labels: { 'kubernetes.io/metadata.name': ns } });
  for (const p of PODS) state.upsertPod({ namespace: p.namespace, name: p.name, labels: p.labels, ips: [rec.pods[p.name] ?? ''], ports: [], hostNetwork: false });
  state.upsertPolicy(policy);
  const now = Date.now();
  const newest = Math.max(...rec.flows.map((f) => Date.parse(f.lastSeen)));
  const shift = (t: string): string => new Date(Date.parse(t) - newest + now).toISOString();
  await store.ingest(batch(rec.flows.map((f) => ({ ...f, firstSeen: shift(f.firstSeen), lastSeen: shift(f.lastSeen) }))), new Date(now));
  const ref: NewVerdict['policy'] = { uid: policy.metadata.uid ?? '', kind: 'AuditNetworkPolicy', namespace: policy.metadata.namespace ?? '', name: policy.metadata.name, generation: 1 };
  const tally = { wouldDeny: 0, allowed: 0 };
  const rows = await judgePending(store, new Date(now), (f) => {
    const flow = { src: endName(f.src), dst: endName(f.dst), protocol: f.protocol, port: f.dst.port };
    return evaluateFlow(state, flow).verdicts.filter((v) => v.direction === f.direction).map((v) => {
      if (v.verdict === 'WouldDeny') tally.wouldDeny += f.count;
      else tally.allowed += f.count;
      return { policy: ref, direction: v.direction, verdict: v.verdict, reason: v.reason };
    });
  });
  return { rows, ...tally };
}

export async function startUiBenchStack(): Promise<UiBenchStack> {
  const uiDir = await mkdtemp(join(tmpdir(), 'kg-ui-bench-'));
  await buildUi(uiDir);
  const sql = await createPgliteClient();
  const store = await openSqlStore(sql, DEFAULT_RETENTION);
  const app = createApp({ store, clock: systemClock, auth: noAuth, logger: silentLogger, metrics: createMetrics(() => store.poolStats()), retention: DEFAULT_RETENTION, uiDir });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => { resolve(s); }) as Server;
  });
  const spec = yaml.load(await readFile(POLICY_FILE, 'utf8')) as AuditPolicy;
  const policy: AuditPolicy = { ...spec, metadata: { ...spec.metadata, uid: 'playground-payments-isolation', generation: 1 } };
  const seeded = await seedPlayground(store, policy);
  const want = expectedCounts(DEFAULT_TRAFFIC, false);
  if (seeded.wouldDeny !== want.wouldDeny || seeded.allowed !== want.allowed) {
    throw new Error(`the playground's data judged ${seeded.wouldDeny} would-deny and ${seeded.allowed} allowed, the playground expects ${want.wouldDeny} and ${want.allowed}`);
  }
  policy.status = evaluatedStatus(1, { wouldDeny: want.wouldDeny, allowed: want.allowed, window: '1h' });
  const { port } = server.address() as AddressInfo;
  const proxy = await startUiProxy({
    brokerUrl: `http://127.0.0.1:${port}`,
    token: undefined,
    session: { namespace: 'shop', context: 'bench' },
    policies: () => Promise.resolve({ policies: [toUiPolicy(policy, new Date())], notes: [] }),
    port: 0,
  });
  return {
    store,
    sql,
    proxy,
    policy,
    verdictRows: seeded.rows,
    close: async () => {
      await proxy.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      await store.close();
      await rm(uiDir, { recursive: true, force: true });
    },
  };
}
