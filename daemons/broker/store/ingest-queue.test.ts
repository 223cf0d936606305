/**
 * The ingest queue's group commit: batches that reach it a few turns of the event loop apart (as the
 * flows route submits bodies that arrived together) are written in one transaction, their busy flows
 * merged into one row each; a batch that comes after the writer took its group waits for the next.
 */
import { describe, expect, it } from 'vitest';
import type { FlowBatch, FlowObservation } from '../../../contracts/flow-batch.js';
import { aggregate } from './flow-writes.js';
import { IngestQueue } from './ingest-queue.js';
import type { Queryable, QueryResult, SqlClient } from './sql-client.js';

const AT = '2026-12-04T01:00:00.000Z';

function observation(port: number): FlowObservation {
  return {
    src: { ip: '10.0.0.1', port: 40000, kind: 'pod', namespace: 'load', pod: 'load-1' },
    dst: { ip: '10.0.0.2', port, kind: 'pod', namespace: 'svc', pod: 'svc-1' },
    protocol: 'TCP',
    direction: 'Egress',
    state: 'established',
    firstSeen: AT,
    lastSeen: AT,
    count: 1,
    node: 'node-1',
  };
}

/** A client that records each transaction's upserted flow rows and answers every batch id as new. */
function recordingClient(): { client: SqlClient; rowsPerTransaction: number[] } {
  const rowsPerTransaction: number[] = [];
  const tx = (rows: { n: number }): Queryable => ({
    query<R>(text: string, params: unknown[] = []): Promise<QueryResult<R>> {
      if (text.includes('INSERT INTO ingested_batches')) {
        const [nodes, ids] = params as [string[], string[]];
        return Promise.resolve({ rows: nodes.map((node, i) => ({ node, batch_id: ids[i] })) as R[], rowCount: nodes.length });
      }
      // The upsert's first parameter is the bucket column: one separator-led item per row.
      rows.n += String(params[0]).split('\u001f').length - 1;
      return Promise.resolve({ rows: [], rowCount: 0 });
    },
  });
  const client = {
    query: () => Promise.reject(new Error('outside a transaction')),
    async transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const rows = { n: 0 };
      const r = await fn(tx(rows));
      rowsPerTransaction.push(rows.n);
      return r;
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: () => Promise.resolve(),
  } as unknown as SqlClient;
  return { client, rowsPerTransaction };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Submits the same busy flow (and one of its own) from `n` batches, `gap` turns apart. */
async function submitBatches(queue: IngestQueue, n: number, gap: number): Promise<void> {
  const done: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const batch: FlowBatch = { batchId: `b-${i}`, node: 'node-1', flows: [observation(80), observation(1000 + i)] };
    done.push(queue.submit(batch, aggregate(batch.flows), new Date(AT)));
    for (let t = 0; t < gap; t++) await turn();
  }
  await Promise.all(done);
}

describe('IngestQueue group commit', () => {
  // gatherTurns undefined: the queue's default.
  it.each([
    { title: 'three batches submitted in one turn: one transaction, the busy flow once', gatherTurns: undefined, n: 3, gap: 0, transactions: [4] },
    { title: 'two batches a turn apart: one transaction', gatherTurns: undefined, n: 2, gap: 1, transactions: [3] },
    // What the queue did before it let turns pass: the busy flow written once per batch.
    { title: 'taken at once, each batch a turn apart is written alone', gatherTurns: 0, n: 3, gap: 1, transactions: [2, 2, 2] },
  ])('$title', async ({ gatherTurns, n, gap, transactions }) => {
    const { client, rowsPerTransaction } = recordingClient();
    const queue = new IngestQueue(client, { retrying: (fn) => fn(), gatherTurns });
    await submitBatches(queue, n, gap);
    // Each transaction writes the busy flow once and each batch's own flow once.
    expect(rowsPerTransaction).toEqual(transactions);
  });
});
