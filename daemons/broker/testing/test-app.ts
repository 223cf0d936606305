/**
 * Builds a broker app for tests on a given store, with a fixed clock, no auth unless given,
 * silent logs and fresh metrics, plus helpers to call it.
 */
import type { Hono } from 'hono';
import { createApp } from '../app.js';
import type { AuthEnv } from '../../../runtime/auth/require-access.js';
import { noAuth, type Authenticator } from '../../../runtime/auth/types.js';
import { fixedClock } from '../../../runtime/clock.js';
import type { BrokerDeps } from '../deps.js';
import { silentLogger } from '../../../runtime/logger.js';
import { createMetrics } from '../metrics.js';
import { DEFAULT_RETENTION } from '../store/sql-store.js';
import type { NewVerdict, Store, StoredFlow } from '../store/types.js';

export interface TestApp {
  app: Hono<AuthEnv>;
  deps: BrokerDeps;
  clock: ReturnType<typeof fixedClock>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

export function testApp(store: Store, now: Date, over: Partial<BrokerDeps> & { auth?: Authenticator } = {}): TestApp {
  const clock = fixedClock(now);
  const deps: BrokerDeps = {
    store,
    clock,
    auth: noAuth,
    logger: silentLogger,
    metrics: createMetrics(() => store.poolStats()),
    retention: DEFAULT_RETENTION,
    streamPollMs: 50,
    ...over,
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    clock,
    post: async (path, body, headers = {}) =>
      app.request(path, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', ...headers },
      }),
    get: async (path, headers = {}) => app.request(path, { headers }),
  };
}

/** Claims every pending flow and stores `verdictsFor(flow)` for each. */
export async function judgePending(store: Store, at: Date, verdictsFor: (f: StoredFlow) => NewVerdict[]): Promise<number> {
  let total = 0;
  for (let c = await store.claimPending(1000, at, 60_000); c.flows.length > 0; c = await store.claimPending(1000, at, 60_000)) {
    total += await store.completeClaim(c, c.flows.map((f) => ({ flowId: f.flow.id, verdicts: verdictsFor(f.flow) })), at);
  }
  return total;
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Parses one SSE block (lines up to a blank line); comments and `retry:` give no event. */
function parseBlock(block: string): SseEvent | undefined {
  const ev: SseEvent = { data: '' };
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    const k = line.slice(0, colon);
    const v = line.slice(colon + 1).replace(/^ /, '');
    if (k === 'id') ev.id = v;
    else if (k === 'event') ev.event = v;
    else if (k === 'data') ev.data += v;
  }
  return ev.event === undefined ? undefined : ev;
}

/** Reads server-sent events from a response until `n` events arrived, then cancels the stream. */
export async function readEvents(res: Response, n: number, timeoutMs = 10_000): Promise<SseEvent[]> {
  if (!res.body) throw new Error('response has no body');
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (events.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${events.length} of ${n} events within ${timeoutMs} ms`);
      const chunk = await reader.read();
      if (chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      const blocks = buf.split('\n\n');
      buf = blocks.pop() ?? '';
      for (const b of blocks) {
        const ev = parseBlock(b);
        if (ev) events.push(ev);
      }
    }
  } finally {
    await reader.cancel();
  }
  return events;
}
