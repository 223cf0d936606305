/**
 * SIGKILL the broker in the middle of a 200,000-flow ingest while the client retries: afterwards
 * every flow is stored exactly once (each observation is a distinct flow with count 1, so a
 * batch stored twice would show as counts of 2, and a lost one as missing rows).
 */
import { afterAll, expect, inject, it } from 'vitest';
import pg from 'pg';
import { freePort, startBroker, type Broker } from '../testing/broker-process.js';
import { ingestWithRetries } from '../testing/retrying-client.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';

let db: TestDatabase | undefined;
let broker: Broker | undefined;
afterAll(async () => {
  await broker?.kill('SIGKILL');
  await db?.drop();
});

it('stores every flow exactly once across a SIGKILL and restart of the broker', async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'kill');
  const port = freePort();
  const env = { DATABASE_URL: db.url };
  broker = await startBroker(env, port);
  const plan = { batches: 40, perBatch: 5000, at: new Date(Date.now() - 30_000).toISOString() };
  let killed = false;
  let restarted: Promise<void> | undefined;
  const report = await ingestWithRetries(() => `http://127.0.0.1:${port}`, plan, 4, (acked) => {
    if (acked === 15 && !killed) {
      killed = true;
      const victim = broker;
      restarted = (async () => {
        await victim?.kill('SIGKILL'); // mid-ingest: other batches are in flight right now
        broker = await startBroker(env, port);
      })();
    }
  });
  await restarted;
  expect(killed).toBe(true);
  // The kill must really have hit requests in flight, or the test proves nothing.
  expect(report.retries).toBeGreaterThan(0);

  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const r = await c.query<{ rows: string; total: string; max: string; batches: string }>(
      `SELECT count(*) AS rows, sum(count) AS total, max(count) AS max, (SELECT count(*) FROM ingested_batches) AS batches FROM flows`,
    );
    expect(r.rows[0]).toEqual({ rows: '200000', total: '200000', max: '1', batches: '40' });
  } finally {
    await c.end();
  }
}, 240_000);
