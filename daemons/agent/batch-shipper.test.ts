import { describe, expect, it } from 'vitest';
import { BatchShipper } from './batch-shipper.js';
import type { FlowBatch, FlowObservation } from './flow-observation.js';

function obs(n: number): FlowObservation[] {
  return Array.from({ length: n }, (_, i) => ({
    src: { ip: '10.0.0.1', port: i, kind: 'pod' as const },
    dst: { ip: '10.0.0.2', port: 80, kind: 'pod' as const },
    protocol: 'TCP' as const,
    direction: 'Egress' as const,
    state: 'established' as const,
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:00:00.000Z',
    count: 1,
    node: 'n1',
  }));
}

/** A broker stand-in answering with the scripted statuses in order (then 200), recording bodies. */
function fakeBroker(statuses: (number | 'down')[]) {
  const received: FlowBatch[] = [];
  const delays: number[] = [];
  const fetchFn = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const next = statuses.shift() ?? 200;
    if (next === 'down') return Promise.reject(new Error('ECONNREFUSED'));
    received.push(JSON.parse(init?.body as string) as FlowBatch);
    return Promise.resolve(new Response('{}', { status: next }));
  };
  const delay = (ms: number): Promise<void> => {
    delays.push(ms);
    return Promise.resolve();
  };
  return { received, delays, fetch: fetchFn, delay };
}

describe('BatchShipper', () => {
  it('resends the same batch id through a broker restart, with capped exponential backoff', async () => {
    const broker = fakeBroker(['down', 'down', 503, 'down', 200]);
    const logs: string[] = [];
    const s = new BatchShipper({ brokerUrl: 'http://b', node: 'n1', ...broker, backoff: { initialMs: 100, maxMs: 300 }, log: (l) => logs.push(l) });
    s.enqueue(obs(3));
    await s.idle();
    expect(broker.delays).toEqual([100, 200, 300, 300]);
    expect(new Set(broker.received.map((b) => b.batchId)).size).toBe(1);
    expect(broker.received.at(-1)!.flows).toHaveLength(3);
    expect(s.stats).toMatchObject({ sent: 3, dropped: 0, retries: 4, buffered: 0 });
    expect(logs.filter((l) => l.includes('retrying'))).toHaveLength(4);
  });

  it('splits large inputs into batches of maxBatch, each with its own id', async () => {
    const broker = fakeBroker([]);
    const s = new BatchShipper({ brokerUrl: 'http://b', node: 'n1', ...broker, maxBatch: 2 });
    s.enqueue(obs(5));
    await s.idle();
    expect(broker.received.map((b) => b.flows.length)).toEqual([2, 2, 1]);
    expect(new Set(broker.received.map((b) => b.batchId)).size).toBe(3);
    expect(broker.received.every((b) => b.node === 'n1')).toBe(true);
  });

  it('drops a batch the broker rejects as invalid, counts it, and goes on', async () => {
    const broker = fakeBroker([400]);
    const logs: string[] = [];
    const s = new BatchShipper({ brokerUrl: 'http://b', node: 'n1', ...broker, maxBatch: 1, log: (l) => logs.push(l) });
    s.enqueue(obs(2));
    await s.idle();
    expect(s.stats).toMatchObject({ sent: 1, rejected: 1, retries: 0 });
    expect(logs[0]).toMatch(/rejected batch .* \(400\), dropping 1 observations/);
  });

  // What each broker answer does to a batch: only a malformed batch is dropped; credentials
  // and access problems (a rotating token, RBAC granted late) are waited out like an outage.
  it.each([
    [400, 'rejected'],
    [413, 'rejected'],
    [415, 'rejected'],
    [422, 'rejected'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'retried'],
    [408, 'retried'],
    [409, 'retried'],
    [429, 'retried'],
    [500, 'retried'],
    [503, 'retried'],
  ] as const)('answer %i: the batch is %s', async (status, fate) => {
    const broker = fakeBroker([status, status]);
    const logs: string[] = [];
    const s = new BatchShipper({ brokerUrl: 'http://b', node: 'n1', ...broker, log: (l) => logs.push(l) });
    s.enqueue(obs(4));
    await s.idle();
    if (fate === 'rejected') {
      expect(s.stats).toMatchObject({ sent: 0, rejected: 4, retries: 0, authRetries: 0, buffered: 0 });
      expect(broker.received).toHaveLength(1);
      return;
    }
    expect(s.stats).toMatchObject({ sent: 4, rejected: 0, retries: 2, authRetries: fate === 'auth' ? 2 : 0, buffered: 0 });
    expect(new Set(broker.received.map((b) => b.batchId)).size).toBe(1);
    expect(logs.filter((l) => l.includes('keeping the batch'))).toHaveLength(fate === 'auth' ? 2 : 0);
  });

  it('asks for the token again on every attempt, so a rotated token is used by the next retry', async () => {
    const seen: (string | null)[] = [];
    const fetchFn = (_u: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const auth = new Headers(init?.headers).get('Authorization');
      seen.push(auth);
      return Promise.resolve(new Response('{}', { status: auth === 'Bearer fresh' ? 200 : 401 }));
    };
    const tokens = ['expired', 'expired', 'fresh'];
    const s = new BatchShipper({ brokerUrl: 'http://b', node: 'n1', fetch: fetchFn, delay: () => Promise.resolve(), token: { token: () => Promise.resolve(tokens.shift() ?? 'fresh') }, log: () => undefined });
    s.enqueue(obs(1));
    await s.idle();
    expect(seen).toEqual(['Bearer expired', 'Bearer expired', 'Bearer fresh']);
    expect(s.stats).toMatchObject({ sent: 1, rejected: 0, authRetries: 2 });
  });

  it('bounds memory: drops the oldest queued batches (never the one in flight), counts and says so', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const received: FlowBatch[] = [];
    const fetchFn = async (_u: string | URL | Request, init?: RequestInit): Promise<Response> => {
      await gate;
      received.push(JSON.parse(init?.body as string) as FlowBatch);
      return new Response('{}', { status: 200 });
    };
    const logs: string[] = [];
    const s = new BatchShipper({ brokerUrl: 'http://b', node: 'n1', fetch: fetchFn, maxBatch: 2, maxBuffered: 4, log: (l) => logs.push(l) });
    s.enqueue(obs(2)); // in flight
    s.enqueue(obs(2)); // queued, dropped below
    s.enqueue(obs(2)); // over the bound
    expect(s.stats).toMatchObject({ dropped: 2, buffered: 4 });
    expect(logs.filter((l) => l.includes('buffer full'))).toHaveLength(1);
    release();
    await s.idle();
    expect(received).toHaveLength(2);
    expect(s.stats).toMatchObject({ sent: 4, dropped: 2, buffered: 0 });
  });
});
