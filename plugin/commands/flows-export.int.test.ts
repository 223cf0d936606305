/**
 * `flows export` against a real broker process over a real PostgreSQL: what it writes is what
 * `audit test --flows` reads (every line passes the strict reader, and a whole audit test runs on
 * it offline), one line per distinct flow with its counts summed and its times widened, -n keeps
 * the flows with either end in the namespace, --since bounds the window, -o json|yaml wrap the
 * same objects, and a closed pipe ends it quietly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FlowObservation } from '../../contracts/flow-batch.js';
import { startBroker, type Broker } from '../../daemons/broker/testing/broker-process.js';
import { batch, observation } from '../../daemons/broker/testing/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../daemons/broker/testing/test-database.js';
import { loadFlows } from '../audit-test/load-flows.js';
import { Seeder } from '../broker/testing/seed.js';
import { BROKEN_PIPE_EXIT } from '../broken-pipe.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { runWithClosedPipe } from '../testing/closed-pipe.js';

let db: TestDatabase;
let seeder: Seeder;
let broker: Broker;
const now = Date.now();
const ago = (ms: number): string => new Date(now - ms).toISOString();
const HOUR = 3_600_000;

const web = { ip: '10.0.1.5', kind: 'pod', namespace: 'frontend', pod: 'web-1' } as const;
const payments = { ip: '10.0.2.7', kind: 'pod', namespace: 'prod', pod: 'payments-1' } as const;
const api = { ip: '10.0.2.9', kind: 'pod', namespace: 'prod', pod: 'api-2' } as const;
const cart = { ip: '10.0.3.4', kind: 'pod', namespace: 'shop', pod: 'cart-1' } as const;
const dns = { ip: '10.0.0.10', kind: 'pod', namespace: 'kube-system', pod: 'coredns-0' } as const;
const batchPod = { ip: '10.0.4.2', kind: 'pod', namespace: 'jobs', pod: 'batch-7' } as const;

function flow(src: FlowObservation['src'], dst: FlowObservation['dst'], at: string, over: Partial<FlowObservation> = {}): FlowObservation {
  return observation({ at, src, dst, ...over });
}

const FLOWS: FlowObservation[] = [
  // One flow in two buckets: one line, count 2 + 3, from the first firstSeen to the last lastSeen.
  flow({ ...web, port: 40001 }, { ...payments, port: 8080 }, ago(2 * HOUR), { count: 2 }),
  flow({ ...web, port: 40002 }, { ...payments, port: 8080 }, ago(HOUR), { count: 3 }),
  flow({ ...api, port: 40003 }, { ip: '203.0.113.9', port: 443, kind: 'external' }, ago(HOUR / 2)),
  flow({ ...cart, port: 40004 }, { ...dns, port: 53 }, ago(HOUR / 3), { protocol: 'UDP' }),
  // Three days old: outside the default 24h.
  flow({ ...batchPod, port: 40005 }, { ip: '169.254.169.254', port: 80, kind: 'external' }, ago(72 * HOUR)),
];

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  const code = await runCli(['flows', 'export', '--broker-url', broker.url, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const lines = (text: string): Record<string, unknown>[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'flows_export');
  seeder = await Seeder.open(db.url);
  await seeder.store.ingest(batch(FLOWS), new Date());
  broker = await startBroker({ DATABASE_URL: db.url });
});

afterAll(async () => {
  await broker.kill();
  await seeder.close();
  await db.drop();
});

describe('flows export', () => {
  it('writes one JSON line per distinct flow of the last 24h, sorted, counts summed and times widened', async () => {
    const r = await cli('-A');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const got = lines(r.out);
    expect(got).toHaveLength(3);
    expect(r.out.trimEnd().split('\n')).toEqual([...r.out.trimEnd().split('\n')].sort());
    expect(got).toContainEqual({
      src: { ip: '10.0.1.5', namespace: 'frontend', pod: 'web-1' },
      dst: { ip: '10.0.2.7', namespace: 'prod', pod: 'payments-1' },
      protocol: 'TCP',
      port: 8080,
      firstSeen: ago(2 * HOUR),
      lastSeen: ago(HOUR),
      count: 5,
    });
    expect(got).toContainEqual(expect.objectContaining({ src: { ip: '10.0.2.9', namespace: 'prod', pod: 'api-2' }, dst: { ip: '203.0.113.9' }, port: 443 }));
    expect(got).toContainEqual(expect.objectContaining({ protocol: 'UDP', port: 53, dst: { ip: '10.0.0.10', namespace: 'kube-system', pod: 'coredns-0' } }));
  });

  it('is exactly what audit test --flows reads: the strict reader takes every line, and an offline audit test runs on it', async () => {
    const r = await cli('-A', '--since', '7d');
    expect(loadFlows({ name: 'export', text: r.out })).toHaveLength(4);
    const dir = mkdtempSync(join(tmpdir(), 'kg-flows-export-'));
    writeFileSync(join(dir, 'flows.jsonl'), r.out);
    const io = memoryIO();
    const fixture = 'test/fixtures/audit-test/payments';
    const code = await runCli(['audit', 'test', '-f', `${fixture}/policy.yaml`, '--cluster', `${fixture}/cluster.yaml`, '--flows', join(dir, 'flows.jsonl'), '-o', 'json'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect((JSON.parse(io.out()) as { summary: { flows: number } }).summary.flows).toBe(4);
  });

  it.each([
    { args: ['-n', 'prod'], pods: ['api-2', 'web-1'] }, // either end in prod
    { args: ['-n', 'kube-system'], pods: ['cart-1'] },
    { args: ['-n', 'jobs', '--since', '7d'], pods: ['batch-7'] },
    { args: ['-A', '--since', '7d'], pods: ['api-2', 'batch-7', 'cart-1', 'web-1'] },
  ])('$args keeps the flows of that scope and window', async ({ args, pods }) => {
    const r = await cli(...args);
    expect(r.code).toBe(0);
    expect(lines(r.out).map((l) => (l.src as { pod: string }).pod).sort()).toEqual(pods);
  });

  it('says on stderr when nothing was recorded, and writes nothing to stdout', async () => {
    const r = await cli('-n', 'jobs');
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toBe('No flows recorded within 24h to or from namespace jobs.\n');
  });

  it('-o json and -o yaml wrap the same objects in {"flows": [...]}', async () => {
    const jsonl = lines((await cli('-A')).out);
    const json = JSON.parse((await cli('-A', '-o', 'json')).out) as unknown;
    expect(json).toEqual({ flows: jsonl });
    expect(yaml.load((await cli('-A', '-o', 'yaml')).out)).toEqual({ flows: jsonl });
  });

  it('ends quietly when its reader is gone (| true)', async () => {
    const r = await runWithClosedPipe(['flows', 'export', '-A', '--broker-url', broker.url], { close: 'start' });
    expect(r.stderr).toBe('');
    expect([0, BROKEN_PIPE_EXIT]).toContain(r.code);
  });
});
