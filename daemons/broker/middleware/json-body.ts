/**
 * Reads a JSON request body, bounded, before the route's real work (and before an ingest slot is
 * taken: a client that uploads at one byte a second then holds only its own connection, never a
 * slot other agents need). In order, each refusal naming the header or `body`:
 *  - Content-Type other than application/json: 415;
 *  - Content-Encoding other than identity or gzip: 415 (gzip is decompressed off the event loop,
 *    by zlib's thread pool, and refused past the same size cap, so a small bomb cannot expand);
 *  - a Content-Length past the cap: 413 at once, without reading a byte of the body;
 *  - a body (compressed or not) that grows past the cap while read: 413, and reading stops.
 * The text is then in `c.get('jsonBody')`; the route parses it (api/json-turns.ts).
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { badRequest, HttpError } from '../../../runtime/http-error.js';

const gunzipAsync = promisify(gunzip);

export type JsonBodyEnv = { Variables: { jsonBody: string } };

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `body larger than ${maxBytes} bytes`, 'body');
}

/** The body's bytes, refused as soon as they pass `maxBytes`. */
async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

async function decode(raw: Buffer, encoding: 'identity' | 'gzip', maxBytes: number): Promise<Buffer> {
  if (encoding === 'identity') return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new HttpError(413, `body larger than ${maxBytes} bytes once decompressed`, 'body');
    throw badRequest('Content-Encoding', 'body is not valid gzip although Content-Encoding says gzip');
  }
}

function encodingOf(header: string | undefined): 'identity' | 'gzip' {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip') return 'gzip';
  throw new HttpError(415, 'Content-Encoding must be gzip or identity (or absent)', 'Content-Encoding');
}

export function readJsonBody(maxBytes: number): MiddlewareHandler<JsonBodyEnv> {
  return async function jsonBody(c, next) {
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('Content-Type') ?? '')) throw new HttpError(415, 'Content-Type must be application/json', 'Content-Type');
    const encoding = encodingOf(c.req.header('Content-Encoding'));
    const declared = c.req.header('Content-Length');
    if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    const bytes = await decode(await readBounded(c.req.raw.body, maxBytes), encoding, maxBytes);
    c.set('jsonBody', bytes.toString('utf8'));
    await next();
  };
}
