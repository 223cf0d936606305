/**
 * The verdict stream's cursor and its cap: a filtered stream moves its cursor past verdicts that
 * did not match, so its next poll does not look at them again; and past `maxStreams` open
 * streams a new one is refused with 503 and a JSON error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { batch, observation, verdict } from '../testing/fixtures.js';
import { judgePending, readEvents, testApp } from '../testing/test-app.js';

const NOW = new Date('2026-03-01T10:01:00.000Z');
let store: Store;

beforeAll(async () => {
  store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
}, 120_000);

afterAll(async () => {
  await store.close();
});

/** Stores `n` flows and judges each with a verdict of `policy`; returns the highest verdict id. */
async function verdictsOf(policy: string, n: number, port: number): Promise<number> {
  await store.ingest(batch(Array.from({ length: n }, (_, i) => observation({ dst: { ...observation().dst, port: port + i } }))), NOW);
  await judgePending(store, NOW, () => [verdict({ name: policy })]);
  return store.lastVerdictId();
}

describe('a filtered verdict stream', () => {
  it('moves its cursor past verdicts that did not match: the next poll starts after them', async () => {
    const scans: { afterId: number; upToId: number | undefined }[] = [];
    const watched: Store = {
      ...store,
      verdictsAfter: (afterId, f, limit, upToId) => {
        scans.push({ afterId, upToId });
        return store.verdictsAfter(afterId, f, limit, upToId);
      },
    };
    const t = testApp(watched, NOW);
    const res = await t.get('/audit/verdicts/stream?policy=quiet');
    // Other policies' verdicts arrive; the stream's filter matches none of them.
    const others = await verdictsOf('busy', 20, 20_000);
    // Wait for the stream's poll that looks at them (a scan bounded by an id that includes them).
    for (let i = 0; !scans.some((s) => (s.upToId ?? Infinity) >= others); i++) {
      if (i > 1000) throw new Error('the stream never polled after the other verdicts');
      await new Promise((r) => setTimeout(r, 10));
    }
    // Then one that matches: the stream delivers it...
    const events = readEvents(res, 1);
    await verdictsOf('quiet', 1, 30_000);
    const [ev] = await events;
    expect(JSON.parse(ev?.data ?? '{}')).toMatchObject({ policy: { name: 'quiet' } });
    // ...from a scan that started past the 20 it had already looked at, not from where it began.
    const found = scans.at(-1);
    expect(found?.afterId).toBeGreaterThanOrEqual(others);
    expect(scans.every((s) => s.upToId !== undefined && s.upToId > s.afterId)).toBe(true);
  });
});

describe('the cap on open streams', () => {
  it('refuses a stream past maxStreams with 503 and a JSON error, and admits one again when a stream closes', async () => {
    const t = testApp(store, NOW, { maxStreams: 2 });
    const a = await t.get('/audit/verdicts/stream');
    const b = await t.get('/audit/verdicts/stream');
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = await t.get('/audit/verdicts/stream');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: expect.stringMatching(/too many verdict streams/) as unknown });
    await a.body?.cancel();
    // The closed stream's slot is freed once its pump notices the abort.
    let again = await t.get('/audit/verdicts/stream');
    for (let i = 0; again.status === 503 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 10));
      again = await t.get('/audit/verdicts/stream');
    }
    expect(again.status).toBe(200);
    await again.body?.cancel();
    await b.body?.cancel();
  });
});
