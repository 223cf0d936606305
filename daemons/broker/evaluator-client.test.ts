/** The evaluator client against a real HTTP double: batching, retries, timeouts and bad answers. */
import { afterEach, describe, expect, it } from 'vitest';
import { createEvaluatorClient, EvaluatorError, SupersededError, type EvaluateItem } from './evaluator-client.js';
import type { TokenSource } from '../../runtime/token-file.js';
import type { PolicyVerdict } from '../../policy/types.js';
import { evaluationOf, startEvaluatorDouble, type EvaluatorDouble } from './testing/evaluator-double.js';

const item = (id: number): EvaluateItem => ({
  id, observedAt: '2026-03-01T10:00:00.000Z', count: 1, direction: 'Egress',
  flow: { src: { ip: '10.0.0.1' }, dst: { ip: '10.0.0.2' }, protocol: 'TCP', port: 80 },
});

describe('evaluator client', () => {
  let double: EvaluatorDouble | undefined;
  afterEach(async () => {
    await double?.close();
  });

  it('sends one request per batch and maps results by id', async () => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    const c = createEvaluatorClient({ baseUrl: double.url });
    const out = await c.evaluate([item(1), item(2), item(3)]);
    expect([...out.keys()]).toEqual([1, 2, 3]);
    expect(double.requests.map((r) => r.length)).toEqual([3]);
  });

  it('retries 5xx with backoff, then gives up with a retryable error', async () => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    double.down = true;
    const sleeps: number[] = [];
    const attempts: string[] = [];
    const c = createEvaluatorClient({
      // A random source of 0 takes nothing off for jitter: the waits are the plain doubling.
      baseUrl: double.url, attempts: 4, backoffMs: 100, random: () => 0,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      onAttempt: (r) => attempts.push(r),
    });
    const err = await c.evaluate([item(1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvaluatorError);
    expect((err as EvaluatorError).retryable).toBe(true);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(attempts).toEqual(['error', 'error', 'error', 'error']);
  });

  it('recovers when the evaluator comes back between attempts', async () => {
    const d = await startEvaluatorDouble(() => evaluationOf([]));
    double = d;
    d.down = true;
    const c = createEvaluatorClient({
      baseUrl: d.url,
      sleep: () => {
        d.down = false;
        return Promise.resolve();
      },
    });
    expect((await c.evaluate([item(7)])).has(7)).toBe(true);
  });

  it('ends a call waiting between attempts as soon as the broker stops', async () => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    double.down = true;
    const stopping = new AbortController();
    // An hour's backoff: only the signal can end this call before the test times out.
    const c = createEvaluatorClient({ baseUrl: double.url, backoffMs: 3_600_000, maxBackoffMs: 3_600_000, signal: stopping.signal, onAttempt: () => { stopping.abort(); } });
    const err = await c.evaluate([item(1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvaluatorError);
    expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(/stopped/) as unknown });
  });

  it('times out a slow evaluator', async () => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    double.delayMs = 1000;
    const c = createEvaluatorClient({ baseUrl: double.url, timeoutMs: 100, attempts: 1 });
    await expect(c.evaluate([item(1)])).rejects.toThrow(/timed out/);
  });

  it('refuses a malformed answer without retrying', async () => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    double.rawAnswer = (f) => ({ id: f.id, src: null, dst: null, verdicts: 'nope' });
    const c = createEvaluatorClient({ baseUrl: double.url, sleep: () => Promise.reject(new Error('must not retry')) });
    await expect(c.evaluate([item(1)])).rejects.toThrow(/malformed/);
  });

  it('sends the current bearer token with every call', async () => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    let token = 'first';
    const source: TokenSource = { token: () => Promise.resolve(token) };
    const c = createEvaluatorClient({ baseUrl: double.url, token: source });
    await c.evaluate([item(1)]);
    token = 'rotated';
    await c.evaluate([item(2)]);
    expect(double.calls.map((x) => x.authorization)).toEqual(['Bearer first', 'Bearer rotated']);
  });

  it('sends no Authorization header without a token, and a 401 is not retried', async () => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    double.requireToken = 'secret';
    const c = createEvaluatorClient({ baseUrl: double.url, sleep: () => Promise.reject(new Error('must not retry')) });
    await expect(c.evaluate([item(1)])).rejects.toThrow(/401/);
    expect(double.calls.map((x) => x.authorization)).toEqual([undefined]);
  });

  const verdictOf = (uid: string, generation: number): PolicyVerdict => ({
    policy: `prod/${uid}`, kind: 'AuditNetworkPolicy', direction: 'Egress', verdict: 'WouldDeny', reason: 'r',
    ref: { kind: 'AuditNetworkPolicy', namespace: 'prod', name: uid, uid, generation },
  });

  it('sends `only` and gets back only that policy\'s verdicts', async () => {
    double = await startEvaluatorDouble((_f, only) => evaluationOf([verdictOf('a', only?.generation ?? 1), verdictOf('b', 1)]));
    double.generations.set('a', 4);
    const c = createEvaluatorClient({ baseUrl: double.url });
    const out = await c.evaluate([item(1)], { uid: 'a', generation: 4 });
    expect(double.calls[0]!.only).toEqual({ uid: 'a', generation: 4 });
    expect(out.get(1)!.verdicts.map((v) => [v.ref.uid, v.ref.generation])).toEqual([['a', 4]]);
    await c.evaluate([item(2)]);
    expect(double.calls[1]!.only).toBeUndefined();
  });

  it.each([
    { title: 'a newer generation', held: 5, current: 5 },
    { title: 'a deleted policy', held: null, current: null },
  ])('turns a 409 for $title into SupersededError without retrying', async ({ held, current }) => {
    double = await startEvaluatorDouble(() => evaluationOf([]));
    double.generations.set('a', held);
    const c = createEvaluatorClient({ baseUrl: double.url, sleep: () => Promise.reject(new Error('must not retry')) });
    const err = await c.evaluate([item(1)], { uid: 'a', generation: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupersededError);
    expect((err as SupersededError).current).toBe(current);
  });
});
