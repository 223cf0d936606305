/**
 * PostgreSQL goes away during ingest: the broker answers 503 (never 500, never a crash) while it
 * is away, and recovers by itself when it returns. Uses a PostgreSQL cluster of its own, since
 * stopping the shared test server would break other tests.
 */
import { afterAll, expect, it } from 'vitest';
import pg from 'pg';
import { createDatabase, postJson, startBroker, startPostgres, type Broker, type Postgres } from '../testing/broker-process.js';
import { ingestWithRetries, planBatch } from '../testing/retrying-client.js';

let pgs: Postgres | undefined;
let broker: Broker | undefined;
afterAll(async () => {
  // On failure, the broker's own account of it.
  if (broker && broker.child.exitCode !== null) console.error(broker.log());
  await broker?.kill('SIGKILL');
  pgs?.stop();
});

it('answers 503 while PostgreSQL is down and recovers when it is back', async () => {
  pgs = startPostgres();
  const url = await createDatabase(pgs.url, 'restart');
  broker = await startBroker({ DATABASE_URL: url, DB_POOL_SIZE: '4' });
  const base = broker.url;
  const plan = { batches: 30, perBatch: 1000, at: new Date(Date.now() - 30_000).toISOString() };

  // Ingest runs in the background; PostgreSQL is halted in the middle of it.
  let acked = 0;
  const ingest = ingestWithRetries(() => base, plan, 3, (n) => (acked = n));
  while (acked < 5) await new Promise((r) => setTimeout(r, 20));
  pgs.halt();
  const during: number[] = [];
  for (let i = 0; i < 20; i++) {
    during.push((await postJson(`${base}/v1/flows`, planBatch({ ...plan, batches: 1000 }, 500 + i))).status);
    const ready = await fetch(`${base}/readyz`);
    during.push(ready.status);
    await new Promise((r) => setTimeout(r, 50));
  }
  const verdicts = await fetch(`${base}/audit/verdicts`);
  during.push(verdicts.status);
  expect((await verdicts.json()) as object).toEqual({ error: 'database unavailable, retry later' });
  expect(verdicts.headers.get('retry-after')).toBe('1');
  pgs.resume();

  const report = await ingest;
  expect(new Set(during)).toEqual(new Set([503]));
  expect([...report.statuses.keys()].filter((s) => typeof s === 'number' && s >= 500 && s !== 503)).toEqual([]);
  expect(broker.child.exitCode).toBeNull();
  expect((await fetch(`${base}/readyz`)).status).toBe(200);

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ total: string; max: string }>("SELECT sum(count) AS total, max(count) AS max FROM flows WHERE node = 'node-r'");
    // The plan's 30 batches exactly once; the probe batches sent while it was down were refused.
    expect(r.rows[0]).toEqual({ total: '30000', max: '1' });
  } finally {
    await c.end();
  }
}, 180_000);
