/** The shared retrying JSON client against a real local HTTP server: what is retried, how long it waits, and stopping. */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJsonClient, retryAfterMs, type CallProblem, type JsonClientOptions } from './json-client.js';
import { json, startScriptedServer, type ScriptedAnswer, type ScriptedServer } from './testing/scripted-http-server.js';

/** The error the tests' client throws: it carries the problem so rows can compare it. */
class CallFailed extends Error {
  constructor(readonly problem: CallProblem) {
    super(problem.kind);
  }
}

const answerSchema = z.object({ n: z.int() });
const OK = json(200, { n: 7 });

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientOf(script: ScriptedAnswer[], opts: Partial<JsonClientOptions> = {}) {
  server = await startScriptedServer(script);
  const sleeps: number[] = [];
  const client = createJsonClient({
    baseUrl: server.url,
    attempts: 3,
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5 },
    random: () => 0,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    errorOf: (p) => new CallFailed(p),
    ...opts,
  });
  return { client, sleeps, server };
}

const problemOf = async (p: Promise<unknown>): Promise<CallProblem> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CallFailed)) throw new Error(`expected a CallFailed, got ${String(err)}`);
  return err.problem;
};

describe('json client: what is retried', () => {
  it.each([
    { title: '503 then 200: retried, then the answer', script: [json(503, {}), OK], calls: 2, problem: undefined },
    { title: '429 then 200: retried', script: [json(429, {}), OK], calls: 2, problem: undefined },
    { title: '500, 502, then 200: retried twice', script: [json(500, {}), json(502, {}), OK], calls: 3, problem: undefined },
    { title: 'a reset connection then 200: retried', script: [{ reset: true } as const, OK], calls: 2, problem: undefined },
    { title: 'a body that is not JSON then 200: retried', script: [{ status: 200, body: 'not json' }, OK], calls: 2, problem: undefined },
    { title: '500 every time: gives up after the attempts', script: [json(500, {}), json(500, {}), json(500, {}), OK], calls: 3, problem: { kind: 'status', status: 500 } },
    { title: '400 is not retried', script: [json(400, { error: 'bad' }), OK], calls: 1, problem: { kind: 'status', status: 400, body: { error: 'bad' } } },
    { title: '401 is not retried', script: [json(401, {}), OK], calls: 1, problem: { kind: 'status', status: 401 } },
    { title: '404 is not retried', script: [{ status: 404 }, OK], calls: 1, problem: { kind: 'status', status: 404, body: undefined } },
    { title: '409 is not retried', script: [json(409, { current: 3 }), OK], calls: 1, problem: { kind: 'status', status: 409, body: { current: 3 } } },
    { title: 'an answer of the wrong shape is not retried', script: [json(200, { n: 'seven' }), OK], calls: 1, problem: { kind: 'malformed' } },
  ])('$title', async ({ script, calls, problem }) => {
    const { client, server: s } = await clientOf(script);
    const call = client.request({ path: '/x', answer: answerSchema });
    if (problem === undefined) await expect(call).resolves.toEqual({ n: 7 });
    else expect(await problemOf(call)).toMatchObject(problem);
    expect(s.seen).toHaveLength(calls);
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    const { client, server: s } = await clientOf([{ hang: true }, { hang: true }], { attempts: 2, timeoutMs: 50 });
    expect(await problemOf(client.request({ path: '/x', answer: answerSchema }))).toEqual({ kind: 'timeout' });
    expect(s.seen).toHaveLength(2);
  });

  it('reports every attempt: outcome per attempt, for metrics', async () => {
    const outcomes: string[] = [];
    const { client } = await clientOf([json(503, {}), { hang: true }, OK], { timeoutMs: 50, onAttempt: (o) => outcomes.push(o) });
    await expect(client.request({ path: '/x', answer: answerSchema })).resolves.toEqual({ n: 7 });
    expect(outcomes).toEqual(['error', 'timeout', 'ok']);
  });
});

describe('json client: requests and answers', () => {
  it('sends the token, JSON body and headers, and keeps the base URL\'s own path', async () => {
    server = await startScriptedServer([OK, OK]);
    let token = 'first';
    const client = createJsonClient({ baseUrl: `${server.url}/prefix`, token: { token: () => Promise.resolve(token) }, errorOf: (p) => new CallFailed(p) });
    await client.request({ method: 'POST', path: '/v1/things?a=1', body: { x: [1, 2] }, answer: answerSchema });
    token = 'rotated';
    await client.request({ path: 'v1/things/b%2Fc', answer: answerSchema });
    expect(server.seen.map((r) => ({ method: r.method, url: r.url, auth: r.headers.authorization, type: r.headers['content-type'], accept: r.headers.accept, body: r.body }))).toEqual([
      { method: 'POST', url: '/prefix/v1/things?a=1', auth: 'Bearer first', type: 'application/json', accept: 'application/json', body: '{"x":[1,2]}' },
      { method: 'GET', url: '/prefix/v1/things/b%2Fc', auth: 'Bearer rotated', type: undefined, accept: 'application/json', body: '' },
    ]);
  });

  it.each([
    { title: 'a zod schema types the answer, transforms included', answer: z.object({ n: z.int().transform(String) }), want: { n: '7' } },
    { title: 'a hand-written parser types the answer', answer: (raw: unknown) => ({ ok: true as const, value: (raw as { n: number }).n * 2 }), want: 14 },
  ])('$title', async ({ answer, want }) => {
    const { client } = await clientOf([OK]);
    await expect(client.request<unknown>({ path: '/x', answer })).resolves.toEqual(want);
  });

  it('names the parser\'s problem when it refuses an answer', async () => {
    const { client } = await clientOf([OK]);
    const refuse = (): { ok: false; problem: string } => ({ ok: false, problem: 'results must be an array' });
    expect(await problemOf(client.request({ path: '/x', answer: refuse }))).toEqual({ kind: 'malformed', problem: 'results must be an array' });
  });
});

describe('json client: waits between attempts', () => {
  it.each([
    { title: 'doubling from the initial wait, up to the cap (no jitter drawn)', script: [500, 500, 500, 500, 500], random: 0, waits: [100, 200, 400, 800] },
    { title: 'jitter takes up to half off each wait', script: [500, 500, 500, 500, 500], random: 0.5, waits: [75, 150, 300, 600] },
    { title: 'the cap holds after many failures', script: [500, 500, 500, 500, 500, 500, 500], random: 0, waits: [100, 200, 400, 800, 1000, 1000] },
  ])('$title', async ({ script, random, waits }) => {
    const { client, sleeps } = await clientOf(script.map((s) => json(s, {})), { attempts: script.length, random: () => random });
    await problemOf(client.request({ path: '/x', answer: answerSchema }));
    expect(sleeps).toEqual(waits);
  });

  it.each([
    { title: 'a Retry-After longer than the backoff is honoured', retryAfter: '2', wait: 2000 },
    { title: 'a Retry-After shorter than the backoff does not shorten it', retryAfter: '0', wait: 100 },
    { title: 'a Retry-After past the cap waits only the cap', retryAfter: '3600', wait: 5000 },
    { title: 'an unreadable Retry-After leaves the backoff', retryAfter: 'soon', wait: 100 },
  ])('$title', async ({ retryAfter, wait }) => {
    const { client, sleeps } = await clientOf([json(503, {}, { 'Retry-After': retryAfter }), OK], { backoff: { initialMs: 100, maxMs: 5000, jitter: 0 } });
    await expect(client.request({ path: '/x', answer: answerSchema })).resolves.toEqual({ n: 7 });
    expect(sleeps).toEqual([wait]);
  });

  it.each([
    { title: 'delay-seconds', header: '120', want: 120_000 },
    { title: 'an HTTP-date in the future', header: 'Thu, 03 Dec 2026 22:00:30 GMT', want: 30_000 },
    { title: 'an HTTP-date in the past is no wait', header: 'Thu, 03 Dec 2026 21:59:00 GMT', want: 0 },
    { title: 'absent', header: null, want: undefined },
    { title: 'a negative number is unreadable', header: '-5', want: undefined },
  ])('Retry-After: $title', ({ header, want }) => {
    expect(retryAfterMs(header, Date.parse('2026-12-03T22:00:00Z'))).toBe(want);
  });
});

describe('json client: stopping', () => {
  // The real abortableSleep with an hour's backoff: a wait that ignored the signal would hold the
  // call past the test's timeout, so these fail on a sleep that cannot be aborted.
  const HOUR = { initialMs: 3_600_000, maxMs: 3_600_000 };

  it.each([
    { title: 'the client\'s signal', perCall: false },
    { title: 'the call\'s signal', perCall: true },
  ])('$title aborted during the backoff ends the call at once', async ({ perCall }) => {
    const stop = new AbortController();
    server = await startScriptedServer([json(503, {}), OK]);
    const client = createJsonClient({
      baseUrl: server.url, backoff: HOUR, signal: perCall ? undefined : stop.signal, errorOf: (p) => new CallFailed(p),
      onAttempt: () => { stop.abort(); },
    });
    expect(await problemOf(client.request({ path: '/x', answer: answerSchema, signal: perCall ? stop.signal : undefined }))).toEqual({ kind: 'aborted' });
    expect(server.seen).toHaveLength(1);
  });

  it('leaves no listener on the client\'s signal once calls end, whether they succeeded or failed', async () => {
    const stop = new AbortController();
    const { client } = await clientOf([OK, json(400, {}), json(500, {}), OK], { signal: stop.signal });
    await client.request({ path: '/x', answer: answerSchema });
    await problemOf(client.request({ path: '/x', answer: answerSchema }));
    await client.request({ path: '/x', answer: answerSchema });
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('a signal aborted before the call sends nothing', async () => {
    server = await startScriptedServer([OK]);
    const client = createJsonClient({ baseUrl: server.url, signal: AbortSignal.abort(), errorOf: (p) => new CallFailed(p) });
    expect(await problemOf(client.request({ path: '/x', answer: answerSchema }))).toEqual({ kind: 'aborted' });
    expect(server.seen).toHaveLength(0);
  });

  it('a signal aborted during an attempt ends it, without retrying or waiting for the timeout', async () => {
    const stop = new AbortController();
    server = await startScriptedServer([{ hang: true }, OK]);
    server.onRequest = () => { stop.abort(); };
    const client = createJsonClient({ baseUrl: server.url, backoff: HOUR, timeoutMs: 3_600_000, signal: stop.signal, errorOf: (p) => new CallFailed(p) });
    expect(await problemOf(client.request({ path: '/x', answer: answerSchema }))).toEqual({ kind: 'aborted' });
    expect(server.seen).toHaveLength(1);
  });
});
