/**
 * The broker's HTTP app: createApp(deps) assembles the routes over the injected store, clock,
 * authenticator, logger and metrics. `main.ts` serves it; tests call `app.request()`.
 */
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import { OPENAPI } from './api/openapi.js';
import { requireIdentity, type AuthEnv } from '../../runtime/auth/require-access.js';
import type { BrokerDeps } from './deps.js';
import { errorHandler, notFoundHandler } from '../../runtime/error-handler.js';
import { brokerHttpError } from './middleware/broker-errors.js';
import { enforcementRoutes } from './routes/enforcement.js';
import { flowRoutes } from './routes/flows.js';
import { healthRoutes } from './routes/health.js';
import { replayRoutes } from './routes/replays.js';
import { verdictStreamRoutes } from './routes/verdict-stream.js';
import { verdictRoutes } from './routes/verdicts.js';
import { uiRoutes } from './ui/route.js';

export type { BrokerDeps } from './deps.js';

export function createApp(deps: BrokerDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use(async function countRequests(c, next) {
    await next();
    deps.metrics.httpRequests.inc({ method: c.req.method, route: routePath(c, -1), status: String(c.res.status) });
  });
  app.route('/', healthRoutes(deps));
  // Any authenticated caller may read the API's description; only health and metrics are open.
  app.get('/openapi.json', requireIdentity(deps.auth), function openapi(c) {
    return c.json(OPENAPI);
  });
  app.route('/', flowRoutes(deps));
  app.route('/', replayRoutes(deps));
  app.route('/', enforcementRoutes(deps));
  // The stream's route is more specific than /audit/verdicts; registration order does not matter in Hono.
  app.route('/', verdictStreamRoutes(deps));
  app.route('/', verdictRoutes(deps));
  app.route('/', uiRoutes(deps));
  app.onError(errorHandler(deps.logger, brokerHttpError));
  app.notFound(notFoundHandler(() => app.routes));
  return app;
}
