/**
 * `GET /v1/enforcement`: the enforced NetworkPolicies' predictions against what the kernel saw,
 * per flow and policy over a window, each classified (verify/enforcement.ts). Read by `kubectl
 * kguardian verify` and by the evaluator's leader for EnforcementMismatch Events. Reading it needs
 * what reading verdicts needs, in the namespace asked for (cluster-wide without one).
 */
import { Hono } from 'hono';
import type { EnforcementReport } from '../../../contracts/enforcement.js';
import { badRequest } from '../../../runtime/http-error.js';
import { QueryReader } from '../api/query-params.js';
import { requireAccess, verdictReadAccess, type AuthEnv } from '../../../runtime/auth/require-access.js';
import type { BrokerDeps } from '../deps.js';

const DAY_MS = 86_400_000;
export const ENFORCEMENT_LIMITS = { defaultLimit: 1000, maxLimit: 10_000, defaultWindowMs: 3_600_000 } as const;

export function enforcementRoutes(deps: BrokerDeps): Hono<AuthEnv> {
  const { store, clock, auth } = deps;
  const app = new Hono<AuthEnv>();

  app.get('/v1/enforcement', requireAccess(auth, verdictReadAccess), async function enforcement(c) {
    const now = clock.now();
    const q = new QueryReader(c.req.queries(), now);
    const namespace = q.name('namespace', false);
    const policy = q.name('policy', false);
    const since = q.time('since') ?? new Date(now.getTime() - ENFORCEMENT_LIMITS.defaultWindowMs);
    const until = q.time('until') ?? now;
    const mismatches = q.oneOf('mismatches', ['true', 'false'] as const) === 'true';
    const limit = q.int('limit', 1, ENFORCEMENT_LIMITS.maxLimit) ?? ENFORCEMENT_LIMITS.defaultLimit;
    q.rejectUnknown();
    if (since >= until) throw badRequest('until', 'until must be after since');
    if (now.getTime() - since.getTime() > deps.retention.verdictsDays * DAY_MS) {
      throw badRequest('since', `since must be within the verdict retention (${deps.retention.verdictsDays} days)`);
    }
    const report: EnforcementReport = await store.enforcementReport({ namespace, policy, since, until, limit, mismatches });
    return c.json(report);
  });

  return app;
}
