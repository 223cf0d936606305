/**
 * The daemons' one error handler: every failure becomes `{"error": "...", "field"?: "..."}` with
 * the right status. HttpErrors carry their own; a daemon passes `classify` to turn its own errors
 * into HttpErrors (the broker: an unknown cursor, a refused batch, an unreachable database); a 503
 * says Retry-After; anything else is a 500, logged with its stack, and the body never leaks
 * internals.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HttpError } from './http-error.js';
import type { Logger } from './logger.js';

export interface ErrorBody {
  error: string;
  field?: string;
  [extra: string]: unknown;
}

/** A daemon's own errors as HttpErrors; undefined for an error it does not know (a 500). */
export type ErrorClassifier = (err: unknown) => HttpError | undefined;

export function errorResponse(c: Context, e: HttpError): Response {
  const body: ErrorBody = { ...e.details, error: e.message };
  if (e.field !== undefined) body.field = e.field;
  if (e.status === 503 || e.status === 429) c.header('Retry-After', '1');
  return c.json(body, e.status);
}

export function errorHandler(logger: Logger, classify: ErrorClassifier = () => undefined): ErrorHandler {
  return function handleError(err, c) {
    const known = err instanceof HttpError ? err : classify(err);
    if (known) {
      if (known.status === 503) logger.warn(`request failed: ${known.message}`, { path: c.req.path, error: err });
      return errorResponse(c, known);
    }
    logger.error('request failed', { path: c.req.path, error: err, stack: err instanceof Error ? err.stack : undefined });
    return c.json({ error: 'internal error' } satisfies ErrorBody, 500);
  };
}

/**
 * No route for this method and path: 405 with an Allow header when the path exists for other
 * methods (HEAD goes with GET, as Hono serves it), else 404. `routes` is read at request time,
 * when every route is registered.
 */
export function notFoundHandler(routes: () => readonly { method: string; path: string }[] = () => []): NotFoundHandler {
  return function notFound(c) {
    const allowed = new Set<string>();
    for (const r of routes()) {
      if (r.method === 'ALL' || !pathPattern(r.path).test(c.req.path)) continue;
      allowed.add(r.method);
      if (r.method === 'GET') allowed.add('HEAD');
    }
    if (allowed.size > 0) {
      c.header('Allow', [...allowed].sort().join(', '));
      return c.json({ error: `method ${c.req.method} not allowed on ${c.req.path}` } satisfies ErrorBody, 405);
    }
    return c.json({ error: `no route for ${c.req.method} ${c.req.path}` } satisfies ErrorBody, 404);
  };
}

/** A Hono route path (`/v1/replays/:id`) as a regular expression over request paths. */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}
