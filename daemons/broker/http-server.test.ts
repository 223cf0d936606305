/**
 * The broker over a real socket: slow uploads do not take ingest slots, Node's header and request
 * timeouts close stalled connections, and an oversized Content-Length is refused before the body
 * is sent.
 */
import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_BATCH_LIMITS } from '../../contracts/flow-batch.js';
import { startHttpServer, type HttpServerOptions } from './http-server.js';
import { createPgliteClient } from './store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './store/sql-store.js';
import type { Store } from './store/types.js';
import { batch, observation } from './testing/fixtures.js';
import { postHead, rawConnect, type RawConnection } from './testing/raw-http.js';
import { testApp } from './testing/test-app.js';

const NOW = new Date('2026-03-01T10:01:00.000Z');

let store: Store;
const servers: ServerType[] = [];
const connections: RawConnection[] = [];

beforeAll(async () => {
  store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
}, 120_000);

afterEach(async () => {
  for (const c of connections.splice(0)) c.socket.destroy();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((resolve) => {
          s.close(resolve);
          if ('closeAllConnections' in s) s.closeAllConnections(); // fetch keeps its connection alive
        }),
    ),
  );
});

afterAll(async () => {
  await store.close();
});

/** A broker (one ingest slot, one waiting) on a free port; resolves once it listens. */
async function listen(timeouts: Partial<HttpServerOptions> = {}): Promise<{ server: ServerType; port: number }> {
  const t = testApp(store, NOW, { ingest: { maxInFlight: 1, maxQueued: 1 } });
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = startHttpServer(t.app.fetch, { host: '127.0.0.1', port: 0, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, ...timeouts }, (info: AddressInfo) => {
      resolve(info.port);
    });
  });
  if (server === undefined) throw new Error('no server');
  servers.push(server);
  return { server, port };
}

/** Resolves once the server has received `n` requests (their headers, that is). */
function requestsSeen(server: ServerType, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    server.on('request', () => {
      if (++seen === n) resolve();
    });
  });
}

async function stalledUpload(port: number): Promise<RawConnection> {
  const c = await rawConnect(port);
  connections.push(c);
  c.socket.write(`${postHead('/v1/flows', 100_000)}{"batchId":`);
  return c;
}

describe('slow uploads', () => {
  it('leave the ingest slots free: a normal batch is stored while 40 uploads stall', async () => {
    const { server, port } = await listen();
    const seen = requestsSeen(server, 40);
    for (let i = 0; i < 40; i++) await stalledUpload(port);
    await seen;
    const r = await fetch(`http://127.0.0.1:${port}/v1/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(batch([observation()])),
    });
    expect(r.status).toBe(200);
    expect(connections.every((c) => c.received() === '')).toBe(true);
  });

  it('are cut by the request timeout with a 408', async () => {
    const { port } = await listen({ headersTimeoutMs: 1000, requestTimeoutMs: 1000 });
    const c = await stalledUpload(port);
    expect(await c.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('are cut by the headers timeout when the headers never end', async () => {
    const { port } = await listen({ headersTimeoutMs: 1000, requestTimeoutMs: 60_000 });
    const c = await rawConnect(port);
    connections.push(c);
    c.socket.write('POST /v1/flows HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(await c.closed).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('oversized bodies', () => {
  it('are refused by Content-Length before a byte of the body is sent', async () => {
    const { port } = await listen();
    const c = await rawConnect(port);
    connections.push(c);
    c.socket.write(postHead('/v1/flows', FLOW_BATCH_LIMITS.maxBodyBytes + 1));
    const answer = await c.waitFor(/\r\n\r\n\{.*\}/s);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"field":"body"');
  });
});
