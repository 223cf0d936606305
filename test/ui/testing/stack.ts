/**
 * What the web view's browser tests run against: a real broker (createApp over PGlite, served on
 * a port, authenticating every request against the test API server with TokenReview and
 * SubjectAccessReview, no cache) with the view built by its own build script, and verdicts
 * seeded through the store as the evaluation loop stores them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { KubeConfig } from '@kubernetes/client-node';
import { createApp } from '../../../daemons/broker/app.js';
import { cachingAuthenticator } from '../../../runtime/auth/caching-authenticator.js';
import { kubernetesReviews } from '../../../runtime/auth/kubernetes-reviews.js';
import { systemClock } from '../../../runtime/clock.js';
import { silentLogger } from '../../../runtime/logger.js';
import { createMetrics } from '../../../daemons/broker/metrics.js';
import { createPgliteClient } from '../../../daemons/broker/store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../../../daemons/broker/store/sql-store.js';
import type { NewVerdict, Store } from '../../../daemons/broker/store/types.js';
import { batch, observation } from '../../../daemons/broker/testing/fixtures.js';
import { judgePending } from '../../../daemons/broker/testing/test-app.js';
import { buildUi } from '../../../daemons/broker/ui/build.js';

export interface UiStack {
  brokerUrl: string;
  store: Store;
  /** Cuts every open connection to the broker (streams included), as a proxy restart would. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startUiStack(kc: KubeConfig): Promise<UiStack> {
  const uiDir = await mkdtemp(join(tmpdir(), 'kg-ui-assets-'));
  await buildUi(uiDir);
  const store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION);
  const auth = cachingAuthenticator(kubernetesReviews(kc), { clock: systemClock, ttlMs: 1, negativeTtlMs: 1 });
  const app = createApp({ store, clock: systemClock, auth, logger: silentLogger, metrics: createMetrics(() => store.poolStats()), retention: DEFAULT_RETENTION, streamPollMs: 50, uiDir });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => { resolve(s); }) as Server;
  });
  const { port } = server.address() as AddressInfo;
  return {
    brokerUrl: `http://127.0.0.1:${port}`,
    store,
    dropConnections: () => { server.closeAllConnections(); },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      await store.close();
      await rm(uiDir, { recursive: true, force: true });
    },
  };
}

export interface SeedFlow {
  src: { namespace: string; pod: string; ip?: string };
  dst: { namespace: string; pod: string; ip?: string };
  port: number;
  protocol?: 'TCP' | 'UDP';
  verdict: 'Allow' | 'WouldDeny';
  reason?: string;
  /** The connection's state as the agent saw it (default established). */
  state?: 'established' | 'attempt' | 'refused' | 'seen';
  at?: Date;
}

/**
 * Stores one flow row and one verdict per entry. Straight into the store: a pod name the ingest
 * route would refuse (the hostile-name test) still reaches the view, as if anything upstream let
 * it through.
 */
export async function seedVerdicts(store: Store, policy: NewVerdict['policy'], flows: readonly SeedFlow[]): Promise<number> {
  const now = new Date();
  const byKey = new Map<string, SeedFlow>();
  const observations = flows.map((f, i) => {
    const at = (f.at ?? now).toISOString();
    byKey.set(`${f.src.pod}|${f.dst.pod}|${f.port}`, f);
    return observation({
      at,
      src: { ip: f.src.ip ?? `10.1.${(i >> 8) & 255}.${i & 255}`, port: 40000 + (i % 20000), kind: 'pod', namespace: f.src.namespace, pod: f.src.pod },
      dst: { ip: f.dst.ip ?? '10.2.0.1', port: f.port, kind: 'pod', namespace: f.dst.namespace, pod: f.dst.pod },
      protocol: f.protocol ?? 'TCP',
      direction: 'Ingress',
      state: f.state ?? 'established',
    });
  });
  await store.ingest(batch(observations), now);
  return judgePending(store, now, (row) => {
    const f = byKey.get(`${row.src.pod ?? ''}|${row.dst.pod ?? ''}|${row.dst.port}`);
    if (!f) return [];
    return [{ policy, direction: 'Ingress', verdict: f.verdict, reason: f.reason ?? `${f.src.namespace}/${f.src.pod} is not allowed by any ingress rule` }];
  });
}
