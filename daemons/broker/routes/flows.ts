/**
 * `POST /v1/flows` (agents send batches) and `GET /v1/flows` (recorded flows, for replay and
 * `audit test`). A batch is validated whole before anything is written, then stored in one
 * transaction with its batch id, so a retry after a timeout never duplicates rows.
 */
import { Hono } from 'hono';
import { FLOW_BATCH_LIMITS, parseFlowBatch, type FlowBatch } from '../../../contracts/flow-batch.js';
import { badRequest } from '../../../runtime/http-error.js';
import { ByteSemaphore, nextTurn } from '../api/byte-semaphore.js';
import { parseJsonInTurn } from '../api/json-turns.js';
import { QueryReader } from '../api/query-params.js';
import { requireAccess, type AuthEnv } from '../../../runtime/auth/require-access.js';
import type { BrokerDeps } from '../deps.js';
import { ingestGate } from '../middleware/ingest-gate.js';
import { readJsonBody } from '../middleware/json-body.js';

const DAY_MS = 86_400_000;
/** How far ahead of the broker's clock an agent's clock may be. */
const MAX_CLOCK_SKEW_MS = DAY_MS;

/** Checks what the schema cannot: consistent node names and times within the kept window. */
function checkBatch(b: FlowBatch, now: number, retentionDays: number): void {
  const oldest = now - retentionDays * DAY_MS;
  b.flows.forEach((f, index) => {
    const field = `flows[${index}]`;
    if (f.node !== b.node) throw badRequest(`${field}.node`, `${field}.node: must equal the batch's node ${b.node}`, { index });
    const first = Date.parse(f.firstSeen);
    if (first < oldest) throw badRequest(`${field}.firstSeen`, `${field}.firstSeen: older than the ${retentionDays}-day retention window`, { index });
    if (first > now + MAX_CLOCK_SKEW_MS) throw badRequest(`${field}.firstSeen`, `${field}.firstSeen: more than a day in the future`, { index });
  });
}

export function flowRoutes(deps: BrokerDeps): Hono<AuthEnv> {
  const { store, clock, metrics, auth } = deps;
  const app = new Hono<AuthEnv>();
  /** At most one body at the cap in work at once; smaller ones share the room. */
  const bodyWork = new ByteSemaphore(FLOW_BATCH_LIMITS.maxBodyBytes);

  app.post(
    '/v1/flows',
    requireAccess(auth, () => ({ verb: 'create', resource: 'flows' })),
    // The body is read whole before a slot is taken: slow uploads wait on their own.
    readJsonBody(FLOW_BATCH_LIMITS.maxBodyBytes),
    ingestGate(deps.ingest ?? { maxInFlight: 8, maxQueued: 64 }, metrics),
    async function ingestFlows(c) {
      const text = c.get('jsonBody');
      // A body's bytes are held from its parse to its write (bounding the memory and the loop
      // time its work takes, whatever arrives at once), and each step gets a turn of its own.
      const { batch, r } = await bodyWork.run(text.length, c.req.raw.signal, async () => {
        const parsed = parseFlowBatch(await parseJsonInTurn(text, FLOW_BATCH_LIMITS.maxContainers));
        if (!parsed.ok) {
          metrics.ingestBatches.inc({ result: 'rejected' });
          throw parsed.error;
        }
        await nextTurn();
        const now = clock.now();
        checkBatch(parsed.value, now.getTime(), deps.retention.flowsDays);
        await nextTurn();
        return { batch: parsed.value, r: await store.ingest(parsed.value, now) };
      });
      metrics.ingestBatches.inc({ result: r.duplicate ? 'duplicate' : 'stored' });
      if (!r.duplicate) {
        metrics.ingestObservations.inc(r.observations);
        metrics.ingestRows.inc(r.rows);
        metrics.ingestBatchSize.observe(r.observations);
        deps.onFlowsStored?.();
      }
      return c.json({ batchId: batch.batchId, duplicate: r.duplicate, observations: r.observations, rows: r.rows });
    },
  );

  app.get('/v1/flows', requireAccess(auth, () => ({ verb: 'get', resource: 'flows' })), async function listFlows(c) {
    const q = new QueryReader(c.req.queries(), clock.now());
    const since = q.time('since');
    const until = q.time('until');
    const afterId = q.int('cursor', 0, Number.MAX_SAFE_INTEGER);
    const limit = q.int('limit', 1, 5000) ?? 1000;
    q.rejectUnknown();
    if (since && until && since >= until) throw badRequest('until', 'until must be after since');
    const page = await store.listFlows({ since, until, afterId, limit });
    return c.json(page);
  });

  return app;
}
