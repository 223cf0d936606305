/**
 * What a client gets when a request fails in the broker: each kind of failure through the app's
 * error handler, with its status, Retry-After and JSON body. A transaction that lost to a
 * concurrent one (deadlock, serialization failure) is a 503 to retry, never a 500.
 */
import { Hono } from 'hono';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../runtime/error-handler.js';
import { silentLogger } from '../../../runtime/logger.js';
import { RejectedBatchError } from '../store/rejected-batch.js';
import { UnknownCursorError } from '../store/verdict-reads.js';
import { brokerHttpError } from './broker-errors.js';

/** An error as the `pg` driver raises it for a SQLSTATE. */
function pgError(code: string, message: string): Error {
  const e = new pg.DatabaseError(message, message.length, 'error');
  e.code = code;
  return e;
}

/** A Node socket error, as the driver passes it on when it cannot reach the server. */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
}

const CONFLICT = { error: 'the write conflicted with concurrent ones in the database and was not stored; retry later' };
const UNAVAILABLE = { error: 'database unavailable, retry later' };

describe('broker errors as HTTP answers', () => {
  it.each([
    { title: 'a deadlock (40P01) left after the retries', err: pgError('40P01', 'deadlock detected'), status: 503, retryAfter: '1', body: CONFLICT },
    { title: 'a serialization failure (40001)', err: pgError('40001', 'could not serialize access due to concurrent update'), status: 503, retryAfter: '1', body: CONFLICT },
    { title: 'a server shutting down (57P01)', err: pgError('57P01', 'terminating connection due to administrator command'), status: 503, retryAfter: '1', body: UNAVAILABLE },
    { title: 'a refused connection', err: socketError('ECONNREFUSED'), status: 503, retryAfter: '1', body: UNAVAILABLE },
    { title: 'too many connections (53300)', err: pgError('53300', 'sorry, too many clients already'), status: 503, retryAfter: '1', body: UNAVAILABLE },
    // Other class 40 codes are not conflicts between transactions: not worth a retry.
    { title: 'a transaction rollback of another kind (40000)', err: pgError('40000', 'transaction rollback'), status: 500, retryAfter: null, body: { error: 'internal error' } },
    { title: 'a lock timeout (55P03)', err: pgError('55P03', 'canceling statement due to lock timeout'), status: 500, retryAfter: null, body: { error: 'internal error' } },
    // A raw data error is a bug of the broker's validation; the ingest queue wraps the batch's own as RejectedBatchError.
    { title: 'a raw unique violation (23505)', err: pgError('23505', 'duplicate key value violates unique constraint'), status: 500, retryAfter: null, body: { error: 'internal error' } },
    {
      title: 'a batch the database refused', err: new RejectedBatchError(pgError('22P02', 'invalid input syntax for type inet')), status: 400, retryAfter: null,
      body: { error: 'the database refused a value in this batch: invalid input syntax for type inet', field: 'flows' },
    },
    { title: 'an unknown cursor', err: new UnknownCursorError(42), status: 400, retryAfter: null, body: { error: 'no verdict with id 42 (it never existed or has expired)', field: 'before_id' } },
    { title: 'anything else', err: new Error('boom'), status: 500, retryAfter: null, body: { error: 'internal error' } },
  ])('$title: $status', async ({ err, status, retryAfter, body }) => {
    const app = new Hono();
    app.onError(errorHandler(silentLogger, brokerHttpError));
    app.post('/v1/flows', () => {
      throw err;
    });
    const res = await app.request('/v1/flows', { method: 'POST' });
    expect(res.status).toBe(status);
    expect(res.headers.get('Retry-After')).toBe(retryAfter);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(body);
  });
});
