/**
 * POST /evaluate and the probes through app.request(), over a model fed with plain objects.
 * Auth against the real API server is in app.int.test.ts.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { noAuth } from '../../../runtime/auth/types.js';
import { silentLogger } from '../../../runtime/logger.js';
import { ClusterIndex } from '../cluster/cluster-index.js';
import { createIndexedModel, indexOptions } from '../cluster/indexed-model.js';
import { namespaceObject, podObject, policyObject } from '../testing/raw-objects.js';
import { createEvaluatorMetrics } from '../metrics.js';
import { createEvaluatorApp } from './app.js';
import { isValidItem, evaluateItemSchema } from '../../../contracts/evaluate-request.js';
import type { EvaluateResult } from '../../../contracts/evaluate.js';
import { parseEvaluateResponse } from '../../../contracts/evaluate-response.js';

const UID = 'uid-anp';

/** `networkPolicyAt`: a NetworkPolicy denying ingress to db, learnt of at that time. */
function build(synced = true, networkPolicyAt?: string): { app: ReturnType<typeof createEvaluatorApp>; request: (body: unknown, type?: string) => Promise<Response>; get: (path: string) => Promise<Response> } {
  const index = new ClusterIndex(indexOptions(networkPolicyAt === undefined ? {} : { now: () => Date.parse(networkPolicyAt) }));
  index.applyNamespace(namespaceObject('prod'));
  index.applyPod(podObject('prod', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: '2020-01-01T00:00:00Z' }));
  index.applyPod(podObject('prod', 'db', { labels: { app: 'db' }, ips: ['10.0.0.6'], created: '2020-01-01T00:00:00Z' }));
  index.applyPolicy('AuditNetworkPolicy', policyObject('AuditNetworkPolicy', 'prod', 'db', { podSelector: { matchLabels: { app: 'db' } } }, { generation: 3, uid: UID }));
  if (networkPolicyAt !== undefined) index.applyPolicy('NetworkPolicy', policyObject('NetworkPolicy', 'prod', 'db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }));
  const model = createIndexedModel({ index, synced: () => synced });
  const app = createEvaluatorApp({ model, auth: noAuth, metrics: createEvaluatorMetrics(), logger: silentLogger });
  return {
    app,
    request: (body, type = 'application/json') =>
      Promise.resolve(app.request('/evaluate', { method: 'POST', headers: { 'Content-Type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) })),
    get: (path) => Promise.resolve(app.request(path)),
  };
}

const good = { id: 7, observedAt: '2026-03-01T10:00:00.000Z', count: 2, direction: 'Ingress', flow: { src: { ip: '10.0.0.5' }, dst: { ip: '10.0.0.6' }, protocol: 'TCP', port: 5432 } };

describe('POST /evaluate', () => {
  it('answers each flow by id with the audit verdicts of its observed direction, refs carrying uid and generation', async () => {
    const res = await build().request({ flows: [good, { ...good, id: 8, flow: { ...good.flow, dst: { ip: '192.0.2.1' } } }, { ...good, id: 9, direction: 'Egress' }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: EvaluateResult[] };
    const parsed = parseEvaluateResponse(body);
    expect(parsed.ok).toBe(true);
    expect(body.results.map((r) => r.id)).toEqual([7, 8, 9]);
    expect(body.results[0]).toMatchObject({ src: { namespace: 'prod', pod: 'api' }, dst: { namespace: 'prod', pod: 'db' } });
    expect(body.results[0]?.verdicts).toEqual([{ verdict: 'WouldDeny', ref: { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'db', uid: UID, generation: 3 }, reason: expect.any(String) as string }]);
    expect(body.results[1]?.dst).toBeNull();
    // The policy selects db for ingress only: the egress observation of the same flow has no verdict.
    expect(body.results[2]?.verdicts).toEqual([]);
  });

  it.each([
    { title: 'a bad IP', body: { flows: [good, { ...good, flow: { ...good.flow, src: { ip: '10.0.0.300' } } }] }, field: 'flows[1].flow.src.ip', index: 1 },
    { title: 'a port out of range', body: { flows: [{ ...good, flow: { ...good.flow, port: 0 } }] }, field: 'flows[0].flow.port', index: 0 },
    { title: 'a pod without its namespace', body: { flows: [{ ...good, flow: { ...good.flow, dst: { ip: '10.0.0.6', pod: 'db' } } }] }, field: 'flows[0].flow.dst.pod', index: 0 },
    { title: 'a time that is not RFC 3339', body: { flows: [{ ...good, observedAt: 'yesterday' }] }, field: 'flows[0].observedAt', index: 0 },
    // The broker's RFC 3339 reader (contracts/rfc3339.ts): Date.parse alone moved it to March 2.
    { title: 'a day the calendar does not have', body: { flows: [{ ...good, observedAt: '2026-02-30T10:00:00Z' }] }, field: 'flows[0].observedAt', index: 0 },
    { title: 'a missing direction', body: { flows: [{ ...good, direction: undefined }] }, field: 'flows[0].direction', index: 0 },
    { title: 'a negative id', body: { flows: [{ ...good, id: -1 }] }, field: 'flows[0].id', index: 0 },
    { title: 'flows that are not a list', body: { flows: {} }, field: 'flows', index: undefined },
    { title: 'an only without generation', body: { flows: [good], only: { uid: UID } }, field: 'only.generation', index: undefined },
  ])('refuses $title with 400 naming the field', async ({ body, field, index }) => {
    const res = await build().request(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; field: string; index?: number };
    expect(json.field).toBe(field);
    expect(json.error).toContain(field);
    expect(json.index).toBe(index);
  });

  it.each([
    { title: 'invalid JSON', body: '{"flows":[', type: 'application/json', status: 400, field: 'body' },
    { title: 'a non-JSON content type', body: '{}', type: 'text/plain', status: 415, field: 'Content-Type' },
    { title: 'too many flows', body: { flows: Array.from({ length: 20_001 }, () => 0) }, type: 'application/json', status: 400, field: 'flows' },
  ])('refuses $title', async ({ body, type, status, field }) => {
    const res = await build().request(body, type);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { field: string }).field).toBe(field);
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await build().request(`{"flows":[],"pad":"${'x'.repeat(33 * 1024 * 1024)}"}`);
    expect(res.status).toBe(413);
  });

  it('answers only that policy\'s verdicts, and 409 with the held generation on a mismatch', async () => {
    const t = build();
    const ok = await t.request({ flows: [good], only: { uid: UID, generation: 3 } });
    expect(ok.status).toBe(200);
    const stale = await t.request({ flows: [good], only: { uid: UID, generation: 2 } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ field: 'only.generation', current: 3 });
    const unknown = await t.request({ flows: [good], only: { uid: 'gone', generation: 1 } });
    expect(await unknown.json()).toMatchObject({ field: 'only.generation', current: null });
  });

  it('is 503 with Retry-After, and /readyz 503, until the model has synced', async () => {
    const t = build(false);
    const res = await t.request({ flows: [good] });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('1');
    expect((await t.get('/readyz')).status).toBe(503);
    expect((await build().get('/readyz')).status).toBe(200);
    expect((await t.get('/healthz')).status).toBe(200);
  });

  it('counts evaluations by result and exposes the model sizes on /metrics', async () => {
    const t = build();
    await t.request({ flows: [good, good] });
    const text = await (await t.get('/metrics')).text();
    expect(text).toContain('kguardian_evaluator_evaluations_total{result="would_deny"} 4'); // two rows of 2 conversations
    expect(text).toContain('kguardian_evaluator_model_objects{kind="pods"} 2');
    expect(text).toContain('kguardian_evaluator_evaluate_batch_size_count 1');
  });

  it('counts the conversations answered without the enforced prediction: their NetworkPolicies changed after them', async () => {
    const t = build(true, '2026-03-01T10:00:05.000Z');
    const res = await t.request({ flows: [good, { ...good, id: 8, observedAt: '2026-03-01T10:00:06.000Z', count: 3 }] });
    const body = (await res.json()) as { results: EvaluateResult[] };
    expect(body.results.map((r) => r.enforcement?.predicted)).toEqual([undefined, 'Deny']);
    const text = await (await t.get('/metrics')).text();
    expect(text).toContain('kguardian_evaluator_enforcement_withheld_total 2'); // `good`: one row of 2 conversations
  });
});

/** One POST over a new connection (a refused body leaves its connection unusable), sent with Content-Length or chunked. */
function post(port: number, chunks: string[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/evaluate', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e); });
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('POST /evaluate over a socket (@hono/node-server, as main.ts serves it)', () => {
  it('answers as app.request does, with the body read straight from the socket', async () => {
    const t = build();
    const server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const body = JSON.stringify({ flows: [good, { ...good, id: 8 }] });
      const expected = await (await t.request(body)).text();
      expect(await post(port, [body], { 'Content-Length': String(Buffer.byteLength(body)) })).toEqual({ status: 200, body: expected });
      expect(await post(port, [body.slice(0, 50), body.slice(50)], { 'Transfer-Encoding': 'chunked' })).toEqual({ status: 200, body: expected });
      const big = 33 * 1024 * 1024;
      // Refused on the header alone: the body is not waited for.
      expect((await post(port, ['{}'], { 'Content-Length': String(big) })).status).toBe(413);
      const pad = 'x'.repeat(1024 * 1024);
      expect((await post(port, ['{"flows":[],"pad":"', ...Array.from({ length: 33 }, () => pad), '"}'], { 'Transfer-Encoding': 'chunked' })).status).toBe(413);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the fast item check agrees with the schema', () => {
  const variants: unknown[] = [
    good,
    { ...good, id: 1.5 },
    { ...good, count: 0 },
    { ...good, observedAt: '2026-02-30T10:00:00Z' },
    { ...good, observedAt: '2026-03-01T10:00:00+01:00' },
    { ...good, flow: { ...good.flow, protocol: 'ICMP' } },
    { ...good, flow: { ...good.flow, src: {} } },
    { ...good, flow: { ...good.flow, src: { ip: 'fd00::1', namespace: 'a', pod: 'b.c' } } },
    { ...good, flow: { ...good.flow, src: { namespace: 'A', pod: 'b' } } },
    { ...good, flow: { ...good.flow, src: { namespace: null, pod: 'b' } } },
    { ...good, flow: null },
    null,
    'flow',
  ];
  it.each(variants.map((v, i) => ({ i, v })))('variant $i', ({ v }) => {
    expect(isValidItem(v)).toBe(evaluateItemSchema.safeParse(v).success);
  });
});
