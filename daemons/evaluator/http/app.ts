/**
 * The evaluator's HTTP app: `POST /evaluate` (authenticated), and the open probes `/healthz`
 * (the process serves HTTP), `/readyz` (every informer has synced), `/metrics` (Prometheus).
 * main.ts serves it; tests call `app.request()`.
 */
import { Hono } from 'hono';
import type { AuthEnv } from '../../../runtime/auth/require-access.js';
import { errorHandler, notFoundHandler } from '../../../runtime/error-handler.js';
import type { EvaluatorDeps } from './deps.js';
import { evaluateRoutes } from './evaluate-route.js';

export type { EvaluatorDeps } from './deps.js';

export function createEvaluatorApp(deps: EvaluatorDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  deps.metrics.observeModel(() => deps.model.stats());
  app.get('/healthz', function healthz(c) {
    return c.json({ status: 'ok' });
  });
  app.get('/readyz', function readyz(c) {
    return deps.model.synced() ? c.json({ status: 'ready' }) : c.json({ error: 'the cluster model has not synced yet' }, 503);
  });
  app.get('/metrics', async function metrics(c) {
    const text = await deps.metrics.registry.metrics();
    return c.text(text, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });
  app.route('/', evaluateRoutes(deps));
  app.onError(errorHandler(deps.logger));
  app.notFound(notFoundHandler());
  return app;
}
