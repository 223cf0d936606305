/**
 * Probes and metrics, open to all (no token): `/healthz` says the process serves HTTP,
 * `/readyz` that the database answers (migrations ran before the app was built), `/metrics` is
 * Prometheus text.
 */
import { Hono } from 'hono';
import type { BrokerDeps } from '../deps.js';

export function healthRoutes(deps: BrokerDeps): Hono {
  const app = new Hono();
  app.get('/healthz', function healthz(c) {
    return c.json({ status: 'ok' });
  });
  app.get('/readyz', async function readyz(c) {
    try {
      await deps.store.ping();
      return c.json({ status: 'ready', engine: deps.store.engine });
    } catch (err) {
      deps.logger.warn('not ready: database unreachable', { error: err });
      return c.json({ error: 'database unavailable' }, 503);
    }
  });
  app.get('/metrics', async function metrics(c) {
    const text = await deps.metrics.registry.metrics();
    return c.text(text, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });
  return app;
}
