/**
 * Recognises "the database is not there" among driver errors, so the app answers 503 (retry
 * later) instead of 500 (a bug) while PostgreSQL restarts. The pool reconnects by itself.
 */

// Connection exceptions (08), operator intervention (57P0x: shutdown, crash, starting up).
const SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|connect ECONNREFUSED|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SQLSTATES.has(code) || NODE_CODES.has(code))) return true;
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  return MESSAGES.test(err.message);
}
