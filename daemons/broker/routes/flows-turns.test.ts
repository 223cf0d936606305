/**
 * `POST /v1/flows` under large bodies: each step of a body (parse, validation, write) gets a turn
 * of the event loop of its own, and bodies at the cap are worked on one at a time, in arrival
 * order, the others waiting as their text. Ordering of events only, never time.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FLOW_BATCH_LIMITS } from '../../../contracts/flow-batch-limits.js';
import { nextTurn } from '../api/byte-semaphore.js';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { IngestResult, Store } from '../store/types.js';
import { batch, observation } from '../testing/fixtures.js';
import { testApp, type TestApp } from '../testing/test-app.js';

const NOW = new Date('2026-03-01T10:30:00.000Z');
/** Over half the cap: two such bodies never fit in the work at once. */
const LARGE = Math.ceil(FLOW_BATCH_LIMITS.maxBodyBytes * 0.6);

/** A valid batch padded with whitespace to `bytes` (cheap to build and parse, heavy by size). */
function body(id: string, bytes: number): string {
  const text = JSON.stringify(batch([observation()], { batchId: id }));
  return text + ' '.repeat(bytes - text.length);
}

let real: Store;
let order: string[];
let t: TestApp;

beforeAll(async () => {
  real = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
}, 120_000);

afterAll(async () => {
  await real.close();
});

beforeEach(() => {
  order = [];
  // The write only records its start and, a turn later, its end: the order is what is tested.
  const store: Store = {
    ...real,
    async ingest(b): Promise<IngestResult> {
      order.push(`write ${b.batchId}`);
      await nextTurn();
      order.push(`written ${b.batchId}`);
      return { duplicate: false, observations: b.flows.length, rows: b.flows.length };
    },
  };
  t = testApp(store, NOW);
  const parse = JSON.parse.bind(JSON);
  vi.spyOn(JSON, 'parse').mockImplementation((text: string) => {
    const v = parse(text) as unknown;
    if (typeof v === 'object' && v !== null && 'batchId' in v) order.push(`parsed ${String(v.batchId)}`);
    return v;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /v1/flows with large bodies', () => {
  it('answers /healthz between the parse of a body and its validation, and again before its write', async () => {
    const parse = vi.mocked(JSON.parse);
    const inner = parse.getMockImplementation();
    // Right after the parse, /healthz is asked in the next turn, and again in the turn after.
    parse.mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      const v = inner?.(text, reviver) as unknown;
      if (order.at(-1) === 'parsed big') {
        const probe = (n: number): void => {
          void t.get('/healthz').then((r) => order.push(`healthz ${n} ${r.status}`));
        };
        setImmediate(() => {
          probe(1);
          setImmediate(() => {
            probe(2);
          });
        });
      }
      return v;
    });
    const r = await t.post('/v1/flows', body('big', LARGE));
    expect(r.status).toBe(200);
    expect(order).toEqual(['parsed big', 'healthz 1 200', 'healthz 2 200', 'write big', 'written big']);
  });

  it('works on bodies at the cap one at a time, in arrival order', async () => {
    const answers = await Promise.all(['a', 'b', 'c'].map((id) => t.post('/v1/flows', body(id, LARGE))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(order).toEqual(['parsed a', 'write a', 'written a', 'parsed b', 'write b', 'written b', 'parsed c', 'write c', 'written c']);
  });

  it('works on small bodies side by side', async () => {
    const answers = await Promise.all(['a', 'b'].map((id) => t.post('/v1/flows', body(id, 1000))));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(order.indexOf('parsed b')).toBeLessThan(order.indexOf('written a'));
  });

  it('frees the room of a body refused by validation', async () => {
    const bad = JSON.stringify({ batchId: 'bad', node: 'node-a', flows: [{ ...observation(), protocol: 'XTP' }] });
    const answers = await Promise.all([t.post('/v1/flows', bad + ' '.repeat(LARGE)), t.post('/v1/flows', body('good', LARGE))]);
    expect(answers.map((a) => a.status)).toEqual([400, 200]);
    expect(order).toEqual(['parsed bad', 'parsed good', 'write good', 'written good']);
  });
});
