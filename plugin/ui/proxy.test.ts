/**
 * The local proxy of `kubectl kguardian ui` against a stand-in broker that records what reaches
 * it: the token is added and nothing of the browser's own credentials is passed on; a request
 * addressed to any other host name is refused (a rebound DNS name reaches 127.0.0.1 with its own
 * Host), as is anything but GET/HEAD and any path outside the page and the read routes, all
 * before the broker sees them. Raw node:http requests, so the Host header and the path are sent
 * as written (fetch would set the one and normalise the other).
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UiPolicyList } from '../../contracts/web-view.js';
import { startUiProxy, type UiProxy } from './proxy.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const TOKEN = 'sa-token-of-the-user';
const POLICIES: UiPolicyList = { policies: [], notes: ['listed by the test'] };

let broker: Server;
let brokerUrl: string;
const seen: Seen[] = [];
const proxies: UiProxy[] = [];

function send(port: number, o: { method?: string; path: string; host?: string | null; headers?: Record<string, string> }): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.host !== null) headers.host = o.host ?? `127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    // setHost: false, so a request can arrive without any Host header at all.
    const req = request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }); });
    });
    req.on('error', reject);
    req.end();
  });
}

async function proxy(token: string | undefined, policies: () => Promise<UiPolicyList> = () => Promise.resolve(POLICIES)): Promise<UiProxy> {
  const p = await startUiProxy({ brokerUrl, token, session: { namespace: 'shop', context: 'test' }, policies, port: 0 });
  proxies.push(p);
  return p;
}

beforeAll(async () => {
  broker = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-From': 'broker' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
  brokerUrl = `http://127.0.0.1:${(broker.address() as AddressInfo).port}`;
});

afterEach(async () => {
  seen.length = 0;
  for (const p of proxies.splice(0)) await p.close();
});

afterAll(async () => {
  broker.closeAllConnections();
  await new Promise<void>((resolve) => broker.close(() => { resolve(); }));
});

describe('the ui proxy refuses, before the broker sees it', () => {
  it.each([
    { title: 'another site\'s name rebound to 127.0.0.1', host: 'evil.example' },
    { title: 'another site\'s name with this port', host: 'evil.example:PORT' },
    { title: 'the right address on another port', host: '127.0.0.1:1' },
    { title: 'no port at all', host: '127.0.0.1' },
    { title: 'a name that only ends like localhost', host: 'notlocalhost:PORT' },
    { title: 'the IPv6 loopback (not where it listens)', host: '[::1]:PORT' },
  ])('a request addressed to $title: 403 naming the Host field', async ({ host }) => {
    const p = await proxy(TOKEN);
    const r = await send(p.port, { path: '/audit/verdicts', host: host.replace('PORT', String(p.port)) });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ field: 'Host' });
    expect(seen).toEqual([]);
  });

  it('a request without a Host header: refused (node answers 400 before the proxy sees it)', async () => {
    const p = await proxy(TOKEN);
    const r = await send(p.port, { path: '/audit/verdicts', host: null });
    expect(r.status).toBe(400);
    expect(seen).toEqual([]);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('%s: 405, the view only reads', async (method) => {
    const p = await proxy(TOKEN);
    const r = await send(p.port, { method, path: '/audit/verdicts' });
    expect(r.status).toBe(405);
    expect(JSON.parse(r.body)).toEqual({ error: 'the web view only reads: GET and HEAD' });
    expect(seen).toEqual([]);
  });

  it.each([
    { title: 'the ingest route', path: '/v1/observations' },
    { title: 'the broker\'s metrics', path: '/metrics' },
    { title: 'the API description', path: '/openapi.json' },
    { title: 'a route beside a forwarded one', path: '/audit/verdicts/export' },
    { title: 'a prefix of the page', path: '/uix' },
    { title: 'a dot segment climbing out of /ui/', path: '/ui/../metrics' },
    { title: 'an encoded dot segment climbing out of /ui/', path: '/ui/%2e%2e/metrics' },
    { title: 'a Kubernetes API path', path: '/api/v1/secrets' },
  ])('$title ($path): 404', async ({ path }) => {
    const p = await proxy(TOKEN);
    const r = await send(p.port, { path });
    expect(r.status).toBe(404);
    expect((JSON.parse(r.body) as { error: string }).error).toContain('not served by the kguardian ui proxy');
    expect(seen).toEqual([]);
  });
});

describe('the ui proxy forwards', () => {
  it.each([
    { title: 'the page', path: '/ui/', method: 'GET' },
    { title: 'a page asset', path: '/ui/app.js', method: 'GET' },
    { title: 'the verdicts with their query', path: '/audit/verdicts?policy=payments&namespace=shop&limit=500', method: 'GET' },
    { title: 'the stream', path: '/audit/verdicts/stream?after_id=7', method: 'GET' },
    { title: 'the summary', path: '/audit/summary', method: 'GET' },
    { title: 'a HEAD', path: '/audit/verdicts', method: 'HEAD' },
  ])('$title, adding the token', async ({ path, method }) => {
    const p = await proxy(TOKEN);
    const r = await send(p.port, { method, path });
    expect(r.status).toBe(200);
    expect(r.headers['x-from']).toBe('broker');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method, url: path });
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('replaces whatever credentials the browser sends with the user\'s token, and passes on only what the stream needs', async () => {
    const p = await proxy(TOKEN);
    await send(p.port, { path: '/audit/verdicts/stream', headers: { authorization: 'Bearer from-the-page', cookie: 'session=1', 'last-event-id': '42', accept: 'text/event-stream', origin: 'http://evil.example' } });
    const h = seen[0]?.headers ?? {};
    expect(h.authorization).toBe(`Bearer ${TOKEN}`);
    expect(h['last-event-id']).toBe('42');
    expect(h.accept).toBe('text/event-stream');
    expect(h.cookie).toBeUndefined();
    expect(h.origin).toBeUndefined();
  });

  it('passes on what lets the broker compress a file and answer 304 for one the browser holds', async () => {
    const p = await proxy(TOKEN);
    await send(p.port, { path: '/ui/app.js', headers: { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': '"abc-gz"' } });
    const h = seen[0]?.headers ?? {};
    expect(h['accept-encoding']).toBe('gzip, deflate, br');
    expect(h['if-none-match']).toBe('"abc-gz"');
  });

  it('sends no Authorization header when the user has no token (a broker without auth)', async () => {
    const p = await proxy(undefined);
    await send(p.port, { path: '/audit/summary' });
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('takes localhost:PORT as its own name', async () => {
    const p = await proxy(TOKEN);
    expect((await send(p.port, { path: '/audit/summary', host: `localhost:${p.port}` })).status).toBe(200);
  });

  it('sends a path that names another host (//host/...) to the broker, never to that host', async () => {
    const p = await proxy(TOKEN);
    const r = await send(p.port, { path: '//evil.example/audit/verdicts?x=1' });
    expect(r.status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(['/audit/verdicts?x=1']);
  });
});

describe('the ui proxy answers itself', () => {
  it('redirects / to the page', async () => {
    const p = await proxy(TOKEN);
    const r = await send(p.port, { path: '/' });
    expect({ status: r.status, location: r.headers.location }).toEqual({ status: 302, location: '/ui/' });
  });

  it('the session and the policy list, without the broker', async () => {
    const p = await proxy(TOKEN);
    expect(JSON.parse((await send(p.port, { path: '/ui/api/session' })).body)).toEqual({ namespace: 'shop', context: 'test' });
    expect(JSON.parse((await send(p.port, { path: '/ui/api/policies' })).body)).toEqual(POLICIES);
    expect(seen).toEqual([]);
  });

  it('a policy list that fails: 502 with the reason', async () => {
    const p = await proxy(TOKEN, () => Promise.reject(new Error('auditnetworkpolicies is forbidden')));
    const r = await send(p.port, { path: '/ui/api/policies' });
    expect({ status: r.status, body: JSON.parse(r.body) as unknown }).toEqual({ status: 502, body: { error: 'auditnetworkpolicies is forbidden' } });
  });

  it('a broker that cannot be reached: 502 naming it', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => dead.close(() => { resolve(); }));
    const p = await startUiProxy({ brokerUrl: deadUrl, token: TOKEN, session: { namespace: null, context: 'test' }, policies: () => Promise.resolve(POLICIES), port: 0 });
    proxies.push(p);
    const r = await send(p.port, { path: '/audit/summary' });
    expect(r.status).toBe(502);
    expect((JSON.parse(r.body) as { error: string }).error).toContain(`the broker at ${deadUrl} could not be reached`);
  });

  it('listens on 127.0.0.1 only and prints a URL there', async () => {
    const p = await proxy(TOKEN);
    expect(p.url).toBe(`http://127.0.0.1:${p.port}/ui/`);
  });
});
