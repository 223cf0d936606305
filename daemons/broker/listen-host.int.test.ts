/**
 * HOST decides which address the broker process binds. 127.0.0.2 is loopback too on Linux, but a
 * server bound to 127.0.0.1 alone refuses it: so it tells "every interface" from "this one".
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBroker, type Broker } from './testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

describe('broker HOST', () => {
  let db: TestDatabase;
  const brokers: Broker[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(inject('databaseUrl'), 'broker_host');
  });
  afterAll(async () => {
    for (const b of brokers) await b.kill();
    await db.drop();
  });

  it.each([
    { host: '', other: 'answers' }, // unset (empty: the runner's own HOST, if any, is not inherited)
    { host: '0.0.0.0', other: 'answers' },
    { host: '127.0.0.1', other: 'refuses' },
  ])('HOST=$host: 127.0.0.1 answers, 127.0.0.2 $other', async ({ host, other }) => {
    const b = await startBroker({ DATABASE_URL: db.url, HOST: host });
    brokers.push(b);
    expect((await fetch(`http://127.0.0.1:${b.port}/healthz`)).status).toBe(200);
    const elsewhere = fetch(`http://127.0.0.2:${b.port}/healthz`);
    if (other === 'answers') expect((await elsewhere).status).toBe(200);
    else await expect(elsewhere).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    await b.kill();
  }, 90_000);
});
