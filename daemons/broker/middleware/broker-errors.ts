/**
 * The broker's own failures as HTTP answers, for the shared error handler (runtime/error-handler.ts):
 * an unknown cursor and a batch the database refused are the caller's 400; an unreachable
 * database is a 503 the client retries.
 */
import { HttpError } from '../../../runtime/http-error.js';
import { RejectedBatchError } from '../store/rejected-batch.js';
import { UnknownCursorError } from '../store/verdict-reads.js';
import { isDatabaseUnavailable } from './database-errors.js';

export function brokerHttpError(err: unknown): HttpError | undefined {
  if (err instanceof UnknownCursorError) return new HttpError(400, err.message, 'before_id');
  if (err instanceof RejectedBatchError) return new HttpError(400, err.message, 'flows');
  if (isDatabaseUnavailable(err)) return new HttpError(503, 'database unavailable, retry later');
  return undefined;
}
