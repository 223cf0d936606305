/**
 * The store's retry of transactions that lost to a concurrent one: how many attempts each
 * sequence of outcomes takes, what the caller finally gets, and the pauses in between.
 */
import { describe, expect, it } from 'vitest';
import { CONFLICT_ATTEMPTS, conflictRetry, isTransactionConflict } from './conflict-retry.js';

const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
const serialization = Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

type Outcome = Error | 'ok';

describe('conflictRetry', () => {
  it.each([
    { title: 'success at once', outcomes: ['ok'], attempts: 1, result: 'ok' },
    { title: 'a deadlock, then success', outcomes: [deadlock, 'ok'], attempts: 2, result: 'ok' },
    { title: 'a serialization failure, then success', outcomes: [serialization, 'ok'], attempts: 2, result: 'ok' },
    { title: 'conflicts until the last attempt succeeds', outcomes: [deadlock, serialization, deadlock, deadlock, 'ok'], attempts: 5, result: 'ok' },
    { title: 'conflicts on every attempt: the last one goes up', outcomes: [deadlock, deadlock, deadlock, deadlock, serialization, 'ok'], attempts: 5, result: serialization },
    // Not a conflict: running it again would fail alike (data) or is the pool's business (connection).
    { title: 'a data error is not retried', outcomes: [unique, 'ok'], attempts: 1, result: unique },
    { title: 'an unreachable database is not retried', outcomes: [refused, 'ok'], attempts: 1, result: refused },
    { title: 'a conflict, then another error', outcomes: [deadlock, unique, 'ok'], attempts: 2, result: unique },
  ] satisfies { title: string; outcomes: Outcome[]; attempts: number; result: Outcome }[])('$title: $attempts attempt(s)', async ({ outcomes, attempts, result }) => {
    const pauses: number[] = [];
    const retry = conflictRetry({
      pause: (attempt) => {
        pauses.push(attempt);
        return Promise.resolve();
      },
    });
    let calls = 0;
    const run = retry(() => {
      const o = outcomes[calls++];
      return o === 'ok' ? Promise.resolve('ok') : Promise.reject(o ?? new Error('no outcome left'));
    });
    if (result === 'ok') await expect(run).resolves.toBe('ok');
    else await expect(run).rejects.toBe(result);
    expect(calls).toBe(attempts);
    // One pause before each retry, told which attempt comes next.
    expect(pauses).toEqual(Array.from({ length: attempts - 1 }, (_, i) => i + 2));
  });

  it('makes CONFLICT_ATTEMPTS attempts by default, with real (short) pauses', async () => {
    let calls = 0;
    await expect(
      conflictRetry()(() => {
        calls++;
        return Promise.reject(deadlock);
      }),
    ).rejects.toBe(deadlock);
    expect(calls).toBe(CONFLICT_ATTEMPTS);
  });

  it.each([
    { err: deadlock, conflict: true },
    { err: serialization, conflict: true },
    { err: Object.assign(new Error('transaction rollback'), { code: '40000' }), conflict: false },
    { err: unique, conflict: false },
    { err: refused, conflict: false },
    { err: new Error('no code'), conflict: false },
    { err: { code: '40P01' }, conflict: true }, // whatever the driver's error class
    { err: null, conflict: false },
    { err: 'deadlock detected', conflict: false },
  ])('isTransactionConflict($err) is $conflict', ({ err, conflict }) => {
    expect(isTransactionConflict(err)).toBe(conflict);
  });
});
