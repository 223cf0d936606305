/**
 * Admission control for flow ingest: at most `maxInFlight` batches write at once and at most
 * `maxQueued` wait; beyond that the broker sheds with 503 + Retry-After at once, which agents
 * treat like a timeout (retry the same batch later). Without it a burst would pile up requests,
 * memory and pool waiters until everything timed out together.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { HttpError } from '../../../runtime/http-error.js';
import type { BrokerMetrics } from '../metrics.js';

export interface IngestGateOptions {
  maxInFlight: number;
  maxQueued: number;
}

export function ingestGate(opts: IngestGateOptions, metrics: BrokerMetrics): MiddlewareHandler {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const update = (): void => {
    metrics.ingestInFlight.set(inFlight);
    metrics.ingestQueued.set(waiting.length);
  };
  return async function gateIngest(c, next) {
    if (inFlight >= opts.maxInFlight) {
      if (waiting.length >= opts.maxQueued) {
        metrics.shed.inc({ route: routePath(c) });
        throw new HttpError(503, 'broker saturated, retry the batch later');
      }
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        update();
      });
    } else {
      inFlight++;
    }
    update();
    try {
      await next();
    } finally {
      // Hand the slot straight to the next waiter (inFlight unchanged), or free it.
      const wake = waiting.shift();
      if (wake) wake();
      else inFlight--;
      update();
    }
  };
}
