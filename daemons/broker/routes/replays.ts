/**
 * `POST /v1/replays` (the evaluator's leader asks for a policy generation's window to be judged
 * again: 202 with the new job, 200 with the existing one for the same uid and generation) and
 * `GET /v1/replays/{id}` (its progress and final state). The work itself is the replay worker's.
 */
import { Hono } from 'hono';
import { parseReplayRequest } from '../api/replay-request.js';
import { REPLAY_REQUEST_LIMITS } from '../../../contracts/replay.js';
import { badRequest, HttpError } from '../../../runtime/http-error.js';
import { parseJsonInTurn } from '../api/json-turns.js';
import { requireAccess, type AuthEnv } from '../../../runtime/auth/require-access.js';
import type { BrokerDeps } from '../deps.js';
import { readJsonBody } from '../middleware/json-body.js';

export function replayRoutes(deps: BrokerDeps): Hono<AuthEnv> {
  const { store, clock, auth } = deps;
  const app = new Hono<AuthEnv>();

  app.post(
    '/v1/replays',
    requireAccess(auth, () => ({ verb: 'create', resource: 'replays' })),
    readJsonBody(REPLAY_REQUEST_LIMITS.maxBodyBytes),
    async function createReplay(c) {
      const now = clock.now();
      const parsed = parseReplayRequest(await parseJsonInTurn(c.get('jsonBody'), REPLAY_REQUEST_LIMITS.maxContainers), now, deps.retention.flowsDays);
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
