/**
 * `POST /v1/replays` (the evaluator's leader asks for a policy generation's window to be judged
 * again: 202 with the new job, 200 with the existing one for the same uid and generation) and
 * `GET /v1/replays/{id}` (its progress and final state). The work itself is the replay worker's.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseReplayRequest } from '../api/replay-request.js';
import { badRequest, HttpError } from '../api/http-error.js';
import { requireAccess, type AuthEnv } from '../auth/require-access.js';
import type { BrokerDeps } from '../deps.js';
import { errorResponse } from '../middleware/error-handler.js';

const MAX_BODY = 64 * 1024;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('body', 'body is not valid JSON');
  }
}

export function replayRoutes(deps: BrokerDeps): Hono<AuthEnv> {
  const { store, clock, auth } = deps;
  const app = new Hono<AuthEnv>();

  app.post(
    '/v1/replays',
    requireAccess(auth, () => ({ verb: 'create', resource: 'replays' })),
    bodyLimit({ maxSize: MAX_BODY, onError: (c) => errorResponse(c, new HttpError(413, `body larger than ${MAX_BODY} bytes`, 'body')) }),
    async function createReplay(c) {
      if (!/^application\/json\b/i.test(c.req.header('Content-Type') ?? '')) throw new HttpError(415, 'Content-Type must be application/json', 'Content-Type');
      const now = clock.now();
      const parsed = parseReplayRequest(parseJson(await c.req.text()), now, deps.retention.flowsDays);
      if (!parsed.ok) throw parsed.error;
      const { job, created } = await store.replays.create(parsed.value, now);
      if (job.state === 'Running') deps.onReplayCreated?.(); // new, or a Failed one running again
      return c.json(job, created ? 202 : 200);
    },
  );

  app.get('/v1/replays/:id', requireAccess(auth, () => ({ verb: 'get', resource: 'replays' })), async function getReplay(c) {
    const raw = c.req.param('id');
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) throw badRequest('id', 'id must be a positive integer');
    const job = await store.replays.get(id);
    if (job === undefined) throw new HttpError(404, `no replay with id ${id}`, 'id');
    return c.json(job);
  });

  return app;
}
