/** Request bodies: media type, Content-Encoding (gzip decompressed under the same cap), and the size cap while reading. */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_BATCH_LIMITS } from '../../../contracts/flow-batch.js';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp, type TestApp } from '../testing/test-app.js';

const NOW = new Date('2026-03-01T10:01:00.000Z');
let store: Store;
let t: TestApp;

beforeAll(async () => {
  store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
  t = testApp(store, NOW);
}, 120_000);

afterAll(async () => {
  await store.close();
});

function post(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response> {
  return Promise.resolve(t.app.request(path, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } }));
}

/** A body streamed in chunks, without Content-Length (chunked transfer). */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (sent >= bytes) ctrl.close();
      else {
        ctrl.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        sent += 64 * 1024;
      }
    },
  });
}

describe('Content-Encoding', () => {
  it('stores a gzip-compressed batch', async () => {
    const b = batch([observation({ count: 3 })]);
    const r = await post('/v1/flows', gzipSync(JSON.stringify(b)), { 'Content-Encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ batchId: b.batchId, duplicate: false, observations: 1 });
  });

  it.each([
    { title: 'a plain body labelled gzip', body: JSON.stringify(batch([observation()])), encoding: 'gzip', status: 400 },
    { title: 'an encoding the broker does not speak', body: gzipSync('{}'), encoding: 'br', status: 415 },
    { title: 'a list of encodings', body: gzipSync('{}'), encoding: 'gzip, gzip', status: 415 },
  ])('refuses $title naming Content-Encoding', async ({ body, encoding, status }) => {
    const r = await post('/v1/flows', body, { 'Content-Encoding': encoding });
    expect(r.status).toBe(status);
    expect(await r.json()).toMatchObject({ field: 'Content-Encoding' });
  });

  it('refuses a gzip body that expands past the cap (413), however small compressed', async () => {
    const bomb = gzipSync(Buffer.alloc(FLOW_BATCH_LIMITS.maxBodyBytes + 1, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    const r = await post('/v1/flows', bomb, { 'Content-Encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ field: 'body' });
  });

  it('applies to replay requests too', async () => {
    const r = await post('/v1/replays', 'not gzip', { 'Content-Encoding': 'gzip' });
    expect(r.status).toBe(400);
  });
});

describe('size and media type', () => {
  it.each([
    { path: '/v1/flows', bytes: FLOW_BATCH_LIMITS.maxBodyBytes + 1 },
    { path: '/v1/replays', bytes: 64 * 1024 + 1 },
  ])('refuses a chunked body past the cap of $path while reading it', async ({ path, bytes }) => {
    const r = await t.app.request(path, { method: 'POST', body: chunked(bytes), headers: { 'Content-Type': 'application/json' }, duplex: 'half' });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ field: 'body' });
  });

  it.each(['text/plain', 'application/jsonx', 'application/json-seq'])('refuses Content-Type %s with 415', async (type) => {
    const r = await post('/v1/flows', JSON.stringify(batch([observation()])), { 'Content-Type': type });
    expect(r.status).toBe(415);
    expect(await r.json()).toMatchObject({ field: 'Content-Type' });
  });

  it('takes application/json with a charset', async () => {
    const r = await post('/v1/flows', JSON.stringify(batch([observation()])), { 'Content-Type': 'application/json; charset=utf-8' });
    expect(r.status).toBe(200);
  });
});
