/**
 * The broker's own failures as HTTP answers, for the shared error handler (runtime/error-handler.ts):
 * an unknown cursor and a batch the database refused are the caller's 400; an unreachable
 * database, and a transaction that kept losing to concurrent ones (deadlock, serialization
 * failure) after the store's retries, are a 503 with Retry-After the client retries: nothing was
 * written, and the same request succeeds later.
 */
import { HttpError } from '../../../runtime/http-error.js';
import { isTransactionConflict } from '../store/conflict-retry.js';
import { RejectedBatchError } from '../store/rejected-batch.js';
import { UnknownCursorError } from '../store/verdict-reads.js';
import { isDatabaseUnavailable } from './database-errors.js';

export function brokerHttpError(err: unknown): HttpError | undefined {
  if (err instanceof UnknownCursorError) return new HttpError(400, err.message, 'before_id');
  if (err instanceof RejectedBatchError) return new HttpError(400, err.message, 'flows');
  if (isDatabaseUnavailable(err)) return new HttpError(503, 'database unavailable, retry later');
  if (isTransactionConflict(err)) return new HttpError(503, 'the write conflicted with concurrent ones in the database and was not stored; retry later');
  return undefined;
}
