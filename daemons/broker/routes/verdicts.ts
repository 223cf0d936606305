/**
 * `GET /audit/verdicts` (newest first, paged with before_id) and `GET /audit/summary` (Allow and
 * WouldDeny counts and the top offenders over a window, for the status writer and `describe`).
 */
import { Hono } from 'hono';
import { badRequest } from '../../../runtime/http-error.js';
import { QueryReader, readVerdictFilter } from '../api/query-params.js';
import { requireAccess, verdictReadAccess, type AuthEnv } from '../../../runtime/auth/require-access.js';
import type { BrokerDeps } from '../deps.js';

const DAY_MS = 86_400_000;

export const VERDICT_PAGE = { defaultLimit: 100, maxLimit: 1000 } as const;

export function verdictRoutes(deps: BrokerDeps): Hono<AuthEnv> {
  const { store, clock, auth } = deps;
  const app = new Hono<AuthEnv>();

  app.get('/audit/verdicts', requireAccess(auth, verdictReadAccess), async function listVerdicts(c) {
    const q = new QueryReader(c.req.queries(), clock.now());
    const filter = readVerdictFilter(q);
    const limit = q.int('limit', 1, VERDICT_PAGE.maxLimit) ?? VERDICT_PAGE.defaultLimit;
    const beforeId = q.int('before_id', 1, Number.MAX_SAFE_INTEGER);
    q.rejectUnknown();
    return c.json(await store.listVerdicts({ ...filter, limit, beforeId }));
  });

  app.get('/audit/summary', requireAccess(auth, verdictReadAccess), async function summarise(c) {
    const now = clock.now();
    const q = new QueryReader(c.req.queries(), now);
    const policy = q.name('policy', false);
    const namespace = q.name('namespace', true);
    const uid = q.uid('uid');
    const generation = q.int('generation', 1, Number.MAX_SAFE_INTEGER);
    if (generation !== undefined && uid === undefined) throw badRequest('generation', 'generation is only meaningful together with uid');
    const windowMs = q.duration('window', deps.retention.verdictsDays * DAY_MS) ?? 3_600_000;
    const top = q.int('top', 1, 100) ?? 10;
    q.rejectUnknown();
    const since = new Date(now.getTime() - windowMs);
    const s = await store.summary({ policy, namespace, uid, generation, since, until: now }, top);
    return c.json({
      policy: policy ?? null, namespace: namespace ?? null, uid: uid ?? null, generation: generation ?? null,
      since: since.toISOString(), until: now.toISOString(), ...s,
    });
  });

  return app;
}
