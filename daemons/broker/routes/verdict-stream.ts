/**
 * `GET /audit/verdicts/stream`: server-sent events, one `verdict` event per stored verdict, its
 * SSE id being the verdict's id. A client that reconnects with `Last-Event-ID` gets everything
 * after that id, and since verdict ids become visible in increasing order (see store/claims.ts)
 * nothing is lost across a reconnect. Without Last-Event-ID the stream starts at the newest
 * verdict (`after_id=0` replays everything kept). The stream wakes when this process stores
 * verdicts and also polls, for verdicts stored by other replicas.
 *
 * Each poll first reads the highest id stored and then looks only between the cursor and it; the
 * cursor then moves to that id even when nothing there matched the stream's filters, so a
 * filtered stream never scans the same rows twice (otherwise a stream whose policy is quiet would
 * rescan everything since its last match every second). That is safe because ids become visible
 * in increasing order: every id up to the highest visible one is already committed.
 * Concurrent streams are capped (`maxStreams`); past the cap a new one gets 503 + Retry-After.
 */
import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { badRequest, HttpError } from '../../../runtime/http-error.js';
import { QueryReader, readVerdictFilter } from '../api/query-params.js';
import { requireAccess, verdictReadAccess, type AuthEnv } from '../../../runtime/auth/require-access.js';
import type { BrokerDeps } from '../deps.js';
import type { VerdictFilter } from '../store/types.js';

const BATCH = 500;
const DEFAULT_MAX_STREAMS = 100;

function parseLastEventId(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v.trim())) throw badRequest('Last-Event-ID', 'Last-Event-ID must be a verdict id');
  return Number(v.trim());
}

/** Resolves after `ms`, or earlier when woken; `wake` is replaced on each call. */
class Waiter {
  private wakeFn: (() => void) | undefined;

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.wakeFn = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeFn = done;
    });
  }

  wake(): void {
    this.wakeFn?.();
  }
}

async function pump(deps: BrokerDeps, stream: SSEStreamingApi, filter: VerdictFilter, from: number): Promise<void> {
  const waiter = new Waiter();
  let closed = false;
  const off = deps.store.onVerdicts(() => {
    waiter.wake();
  });
  stream.onAbort(() => {
    closed = true;
    waiter.wake();
  });
  const pollMs = deps.streamPollMs ?? 1000;
  const heartbeatMs = deps.streamHeartbeatMs ?? 15_000;
  let last = from;
  let quietSince = Date.now();
  try {
    await stream.write('retry: 1000\n\n');
    while (!closed) {
      const upTo = await deps.store.lastVerdictId();
      const next = upTo > last ? await deps.store.verdictsAfter(last, filter, BATCH, upTo) : [];
      for (const v of next) {
        await stream.writeSSE({ id: String(v.id), event: 'verdict', data: JSON.stringify(v) });
        last = v.id;
      }
      if (next.length === BATCH) continue;
      // Everything up to `upTo` was looked at: what did not match never will.
      last = Math.max(last, upTo);
      if (next.length > 0) quietSince = Date.now();
      else if (Date.now() - quietSince >= heartbeatMs) {
        await stream.write(': keep-alive\n\n');
        quietSince = Date.now();
      }
      await waiter.wait(pollMs);
    }
  } finally {
    off();
  }
}

export function verdictStreamRoutes(deps: BrokerDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const maxStreams = deps.maxStreams ?? DEFAULT_MAX_STREAMS;
  let open = 0;
  app.get('/audit/verdicts/stream', requireAccess(deps.auth, verdictReadAccess), async function streamVerdicts(c) {
    const q = new QueryReader(c.req.queries(), deps.clock.now());
    const filter = readVerdictFilter(q);
    const afterParam = q.int('after_id', 0, Number.MAX_SAFE_INTEGER);
    q.rejectUnknown();
    const resume = parseLastEventId(c.req.header('Last-Event-ID')) ?? afterParam;
    const from = resume ?? (await deps.store.lastVerdictId());
    // No await between the check and the count, so concurrent requests cannot both pass the cap.
    if (open >= maxStreams) throw new HttpError(503, `too many verdict streams open (at most ${maxStreams}), retry later`);
    open++;
    deps.metrics.streamClients.inc();
    return streamSSE(
      c,
      async (stream) => {
        try {
          await pump(deps, stream, filter, from);
        } finally {
          open--;
          deps.metrics.streamClients.dec();
        }
      },
      async (err, stream) => {
        // The client reconnects with Last-Event-ID; tell it why this stream ended.
        deps.logger.warn('verdict stream ended by an error', { error: err });
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: 'stream interrupted, reconnect' }) });
      },
    );
  });
  return app;
}
