/** The byte-weighted semaphore in front of a body's work: weights, arrival order, release on error and on abort. */
import { describe, expect, it } from 'vitest';
import { ByteSemaphore, nextTurn } from './byte-semaphore.js';

/** Settles pending promise callbacks, and one turn of the event loop. */
const settle = (): Promise<void> => nextTurn();

/** Acquires `bytes` and records in `order` when it is granted. */
function take(s: ByteSemaphore, order: string[], name: string, bytes: number, signal?: AbortSignal): Promise<() => void> {
  return s.acquire(bytes, signal).then((release) => {
    order.push(name);
    return release;
  });
}

describe('ByteSemaphore', () => {
  it.each([
    { what: 'two that fit together both start', capacity: 10, weights: [4, 6], started: ['a', 'b'] },
    { what: 'one that does not fit waits', capacity: 10, weights: [6, 5], started: ['a'] },
    { what: 'a later small one never overtakes a waiting large one', capacity: 10, weights: [6, 5, 1], started: ['a'] },
    { what: 'a weight above the capacity runs alone', capacity: 10, weights: [25, 1], started: ['a'] },
    { what: 'zero weight still waits its turn behind a waiter', capacity: 10, weights: [10, 1, 0], started: ['a'] },
  ])('$what', async ({ capacity, weights, started }) => {
    const s = new ByteSemaphore(capacity);
    const order: string[] = [];
    weights.forEach((w, i) => void take(s, order, 'abc'[i] ?? '?', w));
    await settle();
    expect(order).toEqual(started);
    expect(s.queued).toBe(weights.length - started.length);
  });

  it('serves waiters in arrival order as room is given back', async () => {
    const s = new ByteSemaphore(10);
    const order: string[] = [];
    const first = await take(s, order, 'first', 10);
    const waiting = [take(s, order, 'b', 7), take(s, order, 'c', 3), take(s, order, 'd', 8), take(s, order, 'e', 2)];
    await settle();
    expect(order).toEqual(['first']);
    first();
    await settle();
    expect(order).toEqual(['first', 'b', 'c']); // 7 + 3 fill it; d waits, and e behind it
    const [b, c] = await Promise.all(waiting.slice(0, 2));
    b?.();
    await settle();
    expect(order).toEqual(['first', 'b', 'c']); // 3 held + 8 > 10
    c?.();
    await settle();
    expect(order).toEqual(['first', 'b', 'c', 'd', 'e']);
    expect(s.held).toBe(10);
  });

  it('gives the bytes back once however often release is called', async () => {
    const s = new ByteSemaphore(10);
    const release = await s.acquire(6);
    release();
    release();
    expect(s.held).toBe(0);
    const again = await s.acquire(10);
    expect(s.held).toBe(10);
    again();
  });

  it('releases when the work throws', async () => {
    const s = new ByteSemaphore(10);
    await expect(s.run(10, undefined, () => Promise.reject(new Error('bad body')))).rejects.toThrow('bad body');
    expect(s.held).toBe(0);
    await expect(s.run(10, undefined, () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('drops a waiter whose client went away, letting the next one in, and never grants it', async () => {
    const s = new ByteSemaphore(10);
    const order: string[] = [];
    const first = await take(s, order, 'first', 6);
    const gone = new AbortController();
    const left = take(s, order, 'left', 6, gone.signal);
    const small = take(s, order, 'small', 4);
    await settle();
    expect(order).toEqual(['first']); // small waits behind the one that does not fit
    gone.abort();
    await expect(left).rejects.toMatchObject({ status: 503 });
    await settle();
    expect(order).toEqual(['first', 'small']);
    expect(s.queued).toBe(0);
    first();
    (await small)();
    expect(s.held).toBe(0);
  });

  it('refuses at once a client already gone', async () => {
    const s = new ByteSemaphore(10);
    await expect(s.acquire(1, AbortSignal.abort())).rejects.toMatchObject({ status: 503 });
    expect(s.held).toBe(0);
  });

  it('needs a positive capacity', () => {
    expect(() => new ByteSemaphore(0)).toThrow(/capacity/);
  });
});
