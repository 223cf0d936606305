/**
 * The agent's shipper against the real broker (daemons/broker/main.ts in its own process, over the
 * test PostgreSQL): batches land, a broker killed mid-stream and restarted loses nothing and
 * stores nothing twice (batch ids), a broker down long makes the bounded buffer drop and count
 * exactly what it could not keep, and a real ServiceAccount token is checked by the real API
 * server: a token rotated mid-run or RBAC granted late delays batches but loses none. Counts are read back from PostgreSQL, per node name, so tests never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startBroker, type Broker } from '../broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../broker/testing/test-database.js';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace, deleteTestNamespace } from '../../test/kube/namespace.js';
import { grant, RULES, serviceAccounts } from '../../test/kube/rbac.js';
import { BatchShipper, type ShipperOptions } from './batch-shipper.js';
import type { FlowObservation } from './flow-observation.js';
import { serviceAccountToken } from '../../test/kube/service-account-token.js';
import { observation } from '../../contracts/testing/flow-batch.js';
import { fileTokenSource, type TokenSource } from '../../runtime/token-file.js';

let db: TestDatabase;
let sql: pg.Client;
const brokers: Broker[] = [];

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'agent_shipper');
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  for (const b of brokers) await b.kill('SIGKILL');
  await sql?.end();
  await db?.drop();
});

async function broker(env: Record<string, string> = {}, port?: number): Promise<Broker> {
  const b = await startBroker({ DATABASE_URL: db.url, ...env }, port);
  brokers.push(b);
  return b;
}

/** `n` distinct observations from `node` (one per destination port), one connection each. The
 * source pod is named after the node: the broker merges rows by addresses and pods, not by node. */
function observations(node: string, n: number, from = 0): FlowObservation[] {
  const at = new Date().toISOString();
  return Array.from({ length: n }, (_, i) =>
    observation({
      at,
      node,
      src: { ip: '10.244.1.5', port: 40000, kind: 'pod', namespace: 'shop', pod: `web-${node}` },
      dst: { ip: '10.244.2.7', port: 1000 + from + i, kind: 'pod', namespace: 'shop', pod: 'db-1' },
    }),
  );
}

function shipper(b: Broker, node: string, over: Partial<ShipperOptions> = {}): { shipper: BatchShipper; log: string[] } {
  const log: string[] = [];
  const s = new BatchShipper({ brokerUrl: b.url, node, maxBatch: 100, backoff: { initialMs: 50, maxMs: 400 }, log: (l) => log.push(l), ...over });
  return { shipper: s, log };
}

/** What PostgreSQL holds for `node`: connections counted, distinct rows, batches recorded. */
async function stored(node: string): Promise<{ count: number; rows: number; batches: number }> {
  const f = await sql.query<{ count: string | null; rows: string }>('SELECT sum(count) AS count, count(*) AS rows FROM flows WHERE src_pod = $1', [`web-${node}`]);
  const b = await sql.query<{ n: string }>('SELECT count(*) AS n FROM ingested_batches WHERE node = $1', [node]);
  return { count: Number(f.rows[0]?.count ?? 0), rows: Number(f.rows[0]?.rows ?? 0), batches: Number(b.rows[0]?.n ?? 0) };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const nodeName = (what: string): string => `${what}-${randomBytes(3).toString('hex')}`;

describe('shipping to the real broker', () => {
  it('lands every batch: each observation stored once, each batch id recorded', async () => {
    const b = await broker();
    const node = nodeName('lands');
    const { shipper: s } = shipper(b, node);
    s.enqueue(observations(node, 1000));
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 1000, dropped: 0, rejected: 0, buffered: 0 });
    expect(await stored(node)).toEqual({ count: 1000, rows: 1000, batches: 10 });
  });

  it('resends a batch whose answer was lost, and the broker stores it once (batch id)', async () => {
    const b = await broker();
    const node = nodeName('lost-answer');
    let calls = 0;
    // The request reaches the broker and is stored; its answer never reaches the shipper.
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (++calls % 2 === 1) throw new Error('connection reset after the request was sent');
      return res;
    };
    const { shipper: s } = shipper(b, node, { fetch: lossy });
    s.enqueue(observations(node, 300));
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 300, retries: 3 });
    expect(await stored(node)).toEqual({ count: 300, rows: 300, batches: 3 });
  });

  it('loses nothing and duplicates nothing when the broker is killed mid-stream and restarted', async () => {
    const first = await broker();
    const node = nodeName('restart');
    const { shipper: s, log } = shipper(first, node);
    s.enqueue(observations(node, 4000));
    await until('some batches sent', () => s.stats.sent >= 500, 30_000);
    await first.kill('SIGKILL');
    await until('a retry against the dead broker', () => s.stats.retries > 0);
    s.enqueue(observations(node, 1000, 4000)); // more arrives while the broker is away
    await broker({}, first.port);
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 5000, dropped: 0, rejected: 0, buffered: 0 });
    expect(await stored(node)).toEqual({ count: 5000, rows: 5000, batches: 50 });
    expect(log.some((l) => l.includes('failed to reach the broker'))).toBe(true);
  });

  it('drops the oldest queued batches beyond its bound while the broker is down, and counts exactly those', async () => {
    const port = freePort();
    const node = nodeName('down-long');
    const log: string[] = [];
    const s = new BatchShipper({ brokerUrl: `http://127.0.0.1:${port}`, node, maxBatch: 100, maxBuffered: 1000, backoff: { initialMs: 50, maxMs: 200 }, log: (l) => log.push(l) });
    for (let i = 0; i < 30; i++) s.enqueue(observations(node, 100, i * 100));
    await until('retries against the absent broker', () => s.stats.retries >= 2);
    expect(s.stats).toMatchObject({ dropped: 2000, buffered: 1000, sent: 0 });
    expect(log.filter((l) => l.includes('buffer full'))).toHaveLength(1); // once per episode
    await broker({}, port);
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 1000, dropped: 2000, buffered: 0 });
    const kept = await stored(node);
    expect(kept).toEqual({ count: 1000, rows: 1000, batches: 10 });
    // The first batch (in flight when the buffer filled) is never cut; the newest are kept.
    const ports = await sql.query<{ p: number }>('SELECT min(dst_port) AS p FROM flows WHERE src_pod = $1', [`web-${node}`]);
    expect(ports.rows[0]?.p).toBe(1000);
  });
});

const tokenFor = serviceAccountToken;
const fixedToken = (token: string): TokenSource => ({ token: () => Promise.resolve(token) });

describe('shipping with a real ServiceAccount token (AUTH_MODE=kubernetes)', () => {
  let kc: KubeConfig;
  let ns: string;
  let b: Broker;

  beforeAll(async () => {
    kc = kubeConfig();
    ns = await createTestNamespace(kc, 'kg-agent-ship');
    await applyManifest(kc, serviceAccounts('agent', 'late'), ns);
    await applyManifest(kc, binding('agent'));
    b = await broker({ AUTH_MODE: 'kubernetes', KUBECONFIG: kubeconfigPath() });
  }, 120_000);

  afterAll(async () => {
    await deleteTestNamespace(kc, ns);
  });

  /** Lets ServiceAccount `sa` of the test namespace create flows. */
  const binding = (sa: string): string => grant({ role: 'flow-writer', namespace: ns, to: [sa], rules: [RULES.writeFlows], cluster: true });

  it('is accepted with a token whose ServiceAccount may create flows.kguardian.dev', async () => {
    const token = await tokenFor(kc, ns, 'agent');
    const node = nodeName('authorized');
    const { shipper: s } = shipper(b, node, { token: fixedToken(token) });
    s.enqueue(observations(node, 150));
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 150, rejected: 0 });
    expect(await stored(node)).toMatchObject({ count: 150, batches: 2 });
  });

  it('waits out a 403 until the RBAC is granted late, then lands every batch exactly once', async () => {
    const token = await tokenFor(kc, ns, 'late');
    const node = nodeName('rbac-late');
    const { shipper: s, log } = shipper(b, node, { token: fixedToken(token) });
    s.enqueue(observations(node, 150));
    await until('403s retried', () => s.stats.authRetries >= 2);
    expect(await stored(node)).toEqual({ count: 0, rows: 0, batches: 0 });
    expect(log.join('\n')).toMatch(/answered 403 .* may not create flows\.kguardian\.dev.*keeping the batch/);
    await applyManifest(kc, binding('late'));
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 150, rejected: 0, dropped: 0, buffered: 0 });
    expect(await stored(node)).toEqual({ count: 150, rows: 150, batches: 2 });
  });

  it('re-reads a token file replaced mid-run (rotation): 401s are retried, every batch lands exactly once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kg-agent-token-'));
    const file = join(dir, 'token');
    try {
      await writeFile(file, 'an-expired-token\n');
      const node = nodeName('rotated');
      const { shipper: s, log } = shipper(b, node, { token: fileTokenSource(file, { refreshMs: 0 }) });
      s.enqueue(observations(node, 250));
      await until('401s retried', () => s.stats.authRetries >= 2);
      expect(await stored(node)).toEqual({ count: 0, rows: 0, batches: 0 });
      expect(log.join('\n')).toMatch(/answered 401 .* refused the token/);
      // As the kubelet does: the new token is written beside and swapped in atomically.
      await writeFile(join(dir, 'token.new'), `${await tokenFor(kc, ns, 'agent')}\n`);
      await rename(join(dir, 'token.new'), file);
      await s.idle();
      expect(s.stats).toMatchObject({ sent: 250, rejected: 0, dropped: 0, buffered: 0 });
      expect(await stored(node)).toEqual({ count: 250, rows: 250, batches: 3 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('still drops a batch the broker finds malformed (400), and only that one', async () => {
    const token = await tokenFor(kc, ns, 'agent');
    const node = nodeName('malformed');
    const { shipper: s, log } = shipper(b, node, { token: fixedToken(token) });
    const bad = observations(node, 100, 0).map((o) => ({ ...o, dst: { ...o.dst, ip: 'not-an-address' } }));
    s.enqueue(bad);
    s.enqueue(observations(node, 100, 100));
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 100, rejected: 100, authRetries: 0 });
    expect(log.join('\n')).toContain('(400)');
    expect(await stored(node)).toEqual({ count: 100, rows: 100, batches: 1 });
  });
});
