/**
 * A batch the database refused because of its own data (SQLSTATE class 22, data exception, or
 * 23, integrity constraint violation), found when it was written alone. Validation is meant to
 * stop every such value first; this is the net under it, so the agent gets a 4xx (drop or fix
 * the batch) instead of a 500 it would retry forever.
 */
export class RejectedBatchError extends Error {
  constructor(cause: unknown) {
    super(`the database refused a value in this batch: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RejectedBatchError';
  }
}

/** True for errors caused by the data written rather than by the database's state. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
