import { describe, expect, it } from 'vitest';
import { BrokerError, createBrokerClient } from './broker-client.js';
import type { AuditPolicyVersion } from './cluster/cluster-model.js';

const POLICY: AuditPolicyVersion = { uid: 'u-1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'p', generation: 3, problems: [] };
const SUMMARY = {
  policy: null, namespace: null, uid: 'u-1', generation: 3, since: '2026-01-01T00:00:00Z', until: '2026-01-01T01:00:00Z', allow: 5, wouldDeny: 2, unidentifiedPeers: 0,
  topOffenders: [{
    src: { namespace: 'a', pod: 'web', ip: '10.0.0.1' }, dst: { namespace: 'prod', pod: 'db', ip: '10.0.0.2' },
    port: 5432, protocol: 'TCP', direction: 'Ingress', count: 2, lastSeen: '2026-01-01T00:59:00Z',
  }],
};

interface Seen { url: string; method: string; auth?: string; body?: string }

/** A fetch that answers from a script of responses and records the requests. */
function scripted(answers: (() => Response)[]): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const f = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const h = new Headers(init?.headers);
    seen.push({ url: input instanceof Request ? input.url : input.toString(), method: init?.method ?? 'GET', auth: h.get('authorization') ?? undefined, body: typeof init?.body === 'string' ? init.body : undefined });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return Promise.resolve(next());
  };
  return { fetch: f, seen };
}

const json = (status: number, body: unknown) => (): Response => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const neverSleep = (): Promise<void> => Promise.resolve();

describe('broker client', () => {
  it('asks for the summary of one uid and generation with the bearer token', async () => {
    const s = scripted([json(200, SUMMARY)]);
    const client = createBrokerClient({ baseUrl: 'http://broker:9090/', fetch: s.fetch, token: { token: () => Promise.resolve('tok') } });
    const got = await client.summary({ uid: 'u-1', generation: 3, window: '1h', top: 20 });
    expect(got.wouldDeny).toBe(2);
    expect(got.topOffenders[0]?.lastSeen).toBe('2026-01-01T00:59:00Z');
    expect(s.seen).toEqual([{ url: 'http://broker:9090/audit/summary?uid=u-1&generation=3&window=1h&top=20', method: 'GET', auth: 'Bearer tok', body: undefined }]);
  });

  it('creates a replay with the policy and since, and reads a numeric id as a string', async () => {
    const s = scripted([json(202, { id: 7, state: 'Running', flowsScanned: 0, flowsTotal: null, verdicts: 0 }), json(200, { id: 7, state: 'Complete' })]);
    const client = createBrokerClient({ baseUrl: 'http://b', fetch: s.fetch });
    const job = await client.createReplay(POLICY, new Date('2026-01-01T00:00:00Z'));
    expect(job).toMatchObject({ id: '7', state: 'Running' });
    expect(JSON.parse(s.seen[0]?.body ?? '')).toEqual({
      policy: { uid: 'u-1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'p', generation: 3 },
      since: '2026-01-01T00:00:00.000Z',
    });
    expect((await client.getReplay('7')).state).toBe('Complete');
    expect(s.seen[1]?.url).toBe('http://b/v1/replays/7');
  });

  it.each([
    { title: '503 then 200 is retried', answers: [json(503, {}), json(200, SUMMARY)], calls: 2, ok: true },
    { title: '429 then 200 is retried', answers: [json(429, {}), json(200, SUMMARY)], calls: 2, ok: true },
    { title: 'a network error is retried', answers: [() => { throw new TypeError('fetch failed'); }, json(200, SUMMARY)], calls: 2, ok: true },
    { title: '400 is not retried', answers: [json(400, { error: 'window must be a duration' }), json(200, SUMMARY)], calls: 1, ok: false },
    { title: '403 is not retried', answers: [json(403, { error: 'forbidden' })], calls: 1, ok: false },
    { title: 'a malformed answer is an error, not retried', answers: [json(200, { allow: -1 })], calls: 1, ok: false },
    { title: 'gives up after the attempts', answers: [json(500, {}), json(500, {}), json(500, {})], calls: 3, ok: false },
  ])('$title', async ({ answers, calls, ok }) => {
    const s = scripted(answers);
    const client = createBrokerClient({ baseUrl: 'http://b', fetch: s.fetch, attempts: 3, sleep: neverSleep });
    const result = client.summary({ uid: 'u', generation: 1, window: '1h', top: 1 });
    if (ok) await expect(result).resolves.toMatchObject({ allow: 5 });
    else await expect(result).rejects.toBeInstanceOf(BrokerError);
    expect(s.seen).toHaveLength(calls);
  });

  it('sends nothing once the evaluator is stopping', async () => {
    const s = scripted([json(200, SUMMARY)]);
    const client = createBrokerClient({ baseUrl: 'http://b', fetch: s.fetch, signal: AbortSignal.abort() });
    await expect(client.summary({ uid: 'u', generation: 1, window: '1h', top: 1 })).rejects.toThrow(/stopped/);
    expect(s.seen).toHaveLength(0);
  });

  it('names the broker\'s error message and status', async () => {
    const s = scripted([json(400, { error: 'generation is only meaningful together with uid', field: 'generation' })]);
    const client = createBrokerClient({ baseUrl: 'http://b', fetch: s.fetch });
    await expect(client.getReplay('x')).rejects.toThrow('broker answered 400 to GET /v1/replays/x: generation is only meaningful together with uid');
  });
});
