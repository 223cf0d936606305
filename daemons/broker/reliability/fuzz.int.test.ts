/**
 * Ten thousand malformed requests against a running broker (random bytes, wrong types, huge
 * numbers, deep nesting, oversized bodies, garbage query strings and headers, wrong methods):
 * none may produce a 5xx, and the process must still be alive and ready afterwards. Then the
 * same for /v1/replays (POST and GET), and garbage Authorization headers against a broker that
 * checks tokens with the real test API server (AUTH_MODE=kubernetes). The generators are seeded,
 * so a failure names a reproducible request.
 */
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, expect, inject, it } from 'vitest';
import { kubeconfigPath } from '../../../test/kube/client.js';
import { startBroker, type Broker } from '../testing/broker-process.js';
import { observation } from '../testing/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { seededRandom } from '../../../runtime/testing/seeded-random.js';

let db: TestDatabase | undefined;
let broker: Broker | undefined;
let authBroker: Broker | undefined;
afterAll(async () => {
  await broker?.kill('SIGKILL');
  await authBroker?.kill('SIGKILL');
  await db?.drop();
});

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** Sends a request and resolves with its status as soon as the headers arrive. */
function send(base: string, r: Req): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${r.path}`, { method: r.method, headers: r.headers, agent, timeout: 30_000 }, (res) => {
      if (String(res.headers['content-type']).includes('event-stream')) res.destroy();
      else res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${r.method} ${r.path}`)));
    req.on('error', reject);
    // A refusal sent before the body was read (401, 413, 431) may close the connection while the
    // body is still being written: the answer counts, the broken pipe after it does not.
    req.on('socket', (socket) => socket.on('error', () => undefined));
    req.end(r.body);
  });
}

const WEIRD: unknown[] = [null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 1e-320, '', ' ', '\u0000', '\ud800', 'x'.repeat(10_000), [], {}, [[[]]],
  { __proto__: { polluted: true } }, { constructor: { prototype: {} } }, '1e999', 'NaN', '::', '999.999.999.999', '2026-02-30T25:61:61Z'];

function randomJson(rnd: () => number, depth = 0): unknown {
  const k = Math.floor(rnd() * (depth > 4 ? 3 : 6));
  if (k === 0) return WEIRD[Math.floor(rnd() * WEIRD.length)];
  if (k === 1) return Math.floor(rnd() * 2 ** 40) * (rnd() < 0.5 ? -1 : 1);
  if (k === 2) return Math.random().toString(36);
  if (k === 3) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(rnd, depth + 1));
  const o: Record<string, unknown> = {};
  for (const key of ['batchId', 'node', 'flows', 'src', 'dst', 'ip', 'port', 'count', 'firstSeen'].filter(() => rnd() < 0.4)) o[key] = randomJson(rnd, depth + 1);
  return o;
}

/** A valid batch with one leaf replaced by something weird. */
function mutatedBatch(rnd: () => number): unknown {
  const flows = [observation({ at: new Date(Date.now() - 60_000).toISOString() })] as unknown as Record<string, unknown>[];
  const f = flows[0]!;
  const paths: [Record<string, unknown>, string][] = [[f, 'protocol'], [f, 'count'], [f, 'firstSeen'], [f, 'lastSeen'], [f, 'node'], [f, 'direction'], [f, 'state'],
    [f.src as Record<string, unknown>, 'ip'], [f.src as Record<string, unknown>, 'port'], [f.dst as Record<string, unknown>, 'port'], [f.dst as Record<string, unknown>, 'namespace']];
  const [obj, key] = paths[Math.floor(rnd() * paths.length)]!;
  obj[key] = WEIRD[Math.floor(rnd() * WEIRD.length)];
  return { batchId: `fz-${Math.floor(rnd() * 1e9)}`, node: 'node-a', flows };
}

const PATHS = ['/v1/flows', '/audit/verdicts', '/audit/verdicts/stream', '/audit/summary', '/healthz', '/readyz', '/openapi.json', '/nope', '//', '/v1/flows/../audit'];
const PARAMS = ['policy', 'namespace', 'verdict', 'direction', 'since', 'until', 'limit', 'before_id', 'after_id', 'cursor', 'window', 'top', 'x'];

function randomQuery(rnd: () => number): string {
  const parts: string[] = [];
  for (let i = Math.floor(rnd() * 5); i > 0; i--) {
    const name = PARAMS[Math.floor(rnd() * PARAMS.length)]!;
    const raw = JSON.stringify(WEIRD[Math.floor(rnd() * WEIRD.length)] ?? Math.floor(rnd() * 1e12));
    parts.push(`${name}=${rnd() < 0.5 ? encodeURIComponent(raw.slice(0, 200)) : raw.slice(0, 50).replace(/[^\x21-\x7e]/g, '%')}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function randomRequest(rnd: () => number, i: number): Req {
  const json = { 'Content-Type': 'application/json' };
  switch (i % 10) {
    case 0:
      return { method: 'POST', path: '/v1/flows', headers: json, body: Buffer.from(Array.from({ length: Math.floor(rnd() * 2000) }, () => Math.floor(rnd() * 256))) };
    case 1:
      return { method: 'POST', path: '/v1/flows', headers: json, body: JSON.stringify(randomJson(rnd)) };
    case 2:
      return { method: 'POST', path: '/v1/flows', headers: json, body: JSON.stringify(mutatedBatch(rnd)) };
    case 3: {
      const n = 1 + Math.floor(rnd() * 50_000);
      return { method: 'POST', path: '/v1/flows', headers: json, body: rnd() < 0.5 ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n) };
    }
    case 4:
      return { method: 'GET', path: `${PATHS[Math.floor(rnd() * PATHS.length)]!}${randomQuery(rnd)}`, headers: {} };
    case 5:
      return { method: 'GET', path: `/audit/verdicts/stream${randomQuery(rnd)}`, headers: { 'Last-Event-ID': String(randomJson(rnd)).slice(0, 100).replace(/[^\x20-\x7e]/g, '') } };
    case 6:
      return { method: ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'][Math.floor(rnd() * 5)]!, path: PATHS[Math.floor(rnd() * PATHS.length)]!, headers: json, body: '{}' };
    case 7:
      return { method: 'POST', path: '/v1/flows', headers: { 'Content-Type': ['text/plain', 'application/jsonx', '', 'multipart/form-data; boundary=x'][Math.floor(rnd() * 4)]! }, body: '{"batchId":"x"}' };
    case 8: {
      // Huge numbers and strings in otherwise plausible places.
      const b = mutatedBatch(rnd) as { flows: Record<string, unknown>[] };
      b.flows[0]!.count = [1e21, 2 ** 64, -0, 1.0000001, Number.MAX_VALUE][Math.floor(rnd() * 5)];
      return { method: 'POST', path: '/v1/flows', headers: json, body: JSON.stringify(b).replace('"node-a"', `"${'n'.repeat(Math.floor(rnd() * 400))}"`) };
    }
    default:
      // Truncated valid JSON.
      return { method: 'POST', path: '/v1/flows', headers: json, body: JSON.stringify(mutatedBatch(rnd)).slice(0, Math.floor(rnd() * 300)) };
  }
}

it('never answers 5xx nor crashes on 10,000 malformed requests', async () => {
  db = await createTestDatabase(inject('databaseUrl'), 'fuzz');
  broker = await startBroker({ DATABASE_URL: db.url });
  const base = broker.url;
  const rnd = seededRandom(20_261_121);
  const counts = new Map<number, number>();
  const bad: string[] = [];
  const total = 10_000;
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < total) {
        const n = i++;
        const r = randomRequest(rnd, n);
        const status = await send(base, r);
        counts.set(status, (counts.get(status) ?? 0) + 1);
        if (status >= 500) bad.push(`#${n} ${r.method} ${r.path} -> ${status}: ${String(r.body ?? '').slice(0, 120)}`);
      }
    }),
  );
  // A few oversized bodies (17 MiB, over the 16 MiB limit), with and without a Content-Length.
  for (let k = 0; k < 3; k++) {
    const status = await send(base, { method: 'POST', path: '/v1/flows', headers: { 'Content-Type': 'application/json' }, body: '['.padEnd(17 * 1024 * 1024, ' ') });
    counts.set(status, (counts.get(status) ?? 0) + 1);
    expect(status).toBe(413);
  }
  expect(bad).toEqual([]);
  expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(total + 3);
  expect([...counts.keys()].every((s) => s >= 200 && s < 500)).toBe(true);
  // Several kinds of refusal were seen, not just one repeated answer.
  expect([400, 404, 413, 415].every((s) => (counts.get(s) ?? 0) > 0)).toBe(true);
  expect(broker.child.exitCode).toBeNull();
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
  expect(broker.log()).not.toMatch(/"level":"error","msg":"request failed"/);
}, 300_000);

/** Sends every request from `make` (8 at a time) and returns the statuses seen and the 5xx ones. */
async function barrage(base: string, total: number, make: (n: number) => Req): Promise<{ counts: Map<number, number>; bad: string[] }> {
  const counts = new Map<number, number>();
  const bad: string[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < total) {
        const n = i++;
        const r = make(n);
        const status = await send(base, r);
        counts.set(status, (counts.get(status) ?? 0) + 1);
        if (status >= 500) bad.push(`#${n} ${r.method} ${r.path} ${JSON.stringify(r.headers)} -> ${status}: ${String(r.body ?? '').slice(0, 120)}`);
      }
    }),
  );
  return { counts, bad };
}

function replayRequest(rnd: () => number): Record<string, unknown> {
  const policy: Record<string, unknown> = { uid: `u-${Math.floor(rnd() * 1e6)}`, kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'web', generation: 1 + Math.floor(rnd() * 3) };
  const body: Record<string, unknown> = { policy, since: new Date(Date.now() - 3_600_000).toISOString() };
  const spots: [Record<string, unknown>, string][] = [[policy, 'uid'], [policy, 'kind'], [policy, 'namespace'], [policy, 'name'], [policy, 'generation'], [body, 'since'], [body, 'policy']];
  const [obj, key] = spots[Math.floor(rnd() * spots.length)]!;
  if (rnd() < 0.8) obj[key] = WEIRD[Math.floor(rnd() * WEIRD.length)];
  return body;
}

const ID_GARBAGE = ['0', '-1', '1e3', '1.5', '99999999999999999999', '9007199254740993', 'abc', '%00', '%E2%80%AE', '1%20', '..', '%2F1', 'x'.repeat(300), '１'];

function randomReplayCall(rnd: () => number, i: number): Req {
  const json = { 'Content-Type': 'application/json' };
  switch (i % 8) {
    case 0:
      return { method: 'POST', path: '/v1/replays', headers: json, body: Buffer.from(Array.from({ length: Math.floor(rnd() * 2000) }, () => Math.floor(rnd() * 256))) };
    case 1:
      return { method: 'POST', path: '/v1/replays', headers: json, body: JSON.stringify(randomJson(rnd)) };
    case 2:
    case 3:
      return { method: 'POST', path: '/v1/replays', headers: json, body: JSON.stringify(replayRequest(rnd)) };
    case 4: {
      // Deep nesting within the 64 KiB limit (bodies over it are sent one at a time below: the
      // broker answers 413 before reading them and closes, which would break a shared connection).
      const n = 1 + Math.floor(rnd() * 5000);
      return { method: 'POST', path: '/v1/replays', headers: json, body: rnd() < 0.5 ? '['.repeat(n * 6) + ']'.repeat(n * 6) : '{"policy":'.repeat(n) + '1' + '}'.repeat(n) };
    }
    case 5:
      return { method: 'POST', path: '/v1/replays', headers: { 'Content-Type': ['text/plain', '', 'application/json-seq'][Math.floor(rnd() * 3)]! }, body: JSON.stringify(replayRequest(rnd)) };
    case 6:
      return { method: 'GET', path: `/v1/replays/${ID_GARBAGE[Math.floor(rnd() * ID_GARBAGE.length)]!}${randomQuery(rnd)}`, headers: {} };
    default:
      return { method: 'GET', path: `/v1/replays/${Math.floor(rnd() * 50)}`, headers: {} };
  }
}

it('never answers 5xx nor crashes on 2,000 malformed or odd /v1/replays calls', async () => {
  expect(broker, 'the first test starts the broker').toBeDefined();
  const rnd = seededRandom(20_260_301);
  const { counts, bad } = await barrage(broker!.url, 2000, (n) => randomReplayCall(rnd, n));
  expect(bad).toEqual([]);
  // Over the limit, each on a connection of its own: the broker answers 413 from the
  // Content-Length alone. Only the head and the body's first bytes are sent: a client still
  // writing the rest when the broker closes gets EPIPE, a race that load decides.
  for (const size of [64 * 1024 + 1, 1024 * 1024]) {
    const status = await statusOfOversizedPost(broker!.url, '/v1/replays', size);
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  // Real jobs were made and read, and refusals of several kinds seen.
  expect([200, 202, 400, 404, 413, 415].filter((s) => (counts.get(s) ?? 0) === 0)).toEqual([]);
  expect(broker!.child.exitCode).toBeNull();
  expect((await fetch(`${broker!.url}/readyz`)).status).toBe(200);
}, 300_000);

/** A value for the Authorization header: anything an HTTP client can send (no CR, LF or NUL). */
function garbageAuthorization(rnd: () => number): string {
  const printable = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(0x20 + Math.floor(rnd() * 0x5f))).join('');
  const latin1 = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(0x80 + Math.floor(rnd() * 0x80))).join('');
  const b64 = (n: number): string => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256))).toString('base64url');
  const forms = [
    () => `Bearer ${printable(1 + Math.floor(rnd() * 200))}`,
    () => `Bearer ${b64(20)}.${b64(200)}.${b64(64)}`, // shaped like a ServiceAccount JWT
    () => `Bearer eyJhbGciOiJSUzI1NiJ9.${b64(100)}.`,
    () => `Bearer ${latin1(1 + Math.floor(rnd() * 50))}`,
    () => `Bearer ${'A'.repeat(1 + Math.floor(rnd() * 12_000))}`,
    () => ['', 'Bearer', 'Bearer ', 'bearer x', 'BEARER x', 'Bearer  x', 'Bearer x y', 'Basic dXNlcjpwYXNz', 'Token x', '\tBearer x'][Math.floor(rnd() * 10)]!,
    () => printable(Math.floor(rnd() * 300)),
  ];
  return forms[Math.floor(rnd() * forms.length)]!();
}

it('never answers 5xx nor crashes on 800 garbage Authorization headers (AUTH_MODE=kubernetes, real API server)', async () => {
  expect(db, 'the first test creates the database').toBeDefined();
  authBroker = await startBroker({ DATABASE_URL: db!.url, AUTH_MODE: 'kubernetes', KUBECONFIG: kubeconfigPath() });
  const rnd = seededRandom(20_260_302);
  const targets: [string, string][] = [['GET', '/audit/verdicts'], ['GET', '/audit/summary'], ['GET', '/audit/verdicts/stream'], ['GET', '/v1/flows'], ['POST', '/v1/flows'],
    ['POST', '/v1/replays'], ['GET', '/v1/replays/1'], ['GET', '/openapi.json'], ['GET', '/nope']];
  const { counts, bad } = await barrage(authBroker.url, 800, (n) => {
    const [method, path] = targets[n % targets.length]!;
    const body = method === 'POST' ? JSON.stringify(path === '/v1/replays' ? replayRequest(rnd) : mutatedBatch(rnd)) : undefined;
    return { method, path, headers: { 'Content-Type': 'application/json', Authorization: garbageAuthorization(rnd) }, body };
  });
  expect(bad).toEqual([]);
  // Nobody got in: every answer is a refusal (401 for tokens, 404 for the unknown path, 431 for a header too large).
  expect([...counts.keys()].filter((s) => ![401, 404, 431].includes(s))).toEqual([]);
  expect(counts.get(401) ?? 0).toBeGreaterThan(600);
  expect(authBroker.child.exitCode).toBeNull();
  expect((await fetch(`${authBroker.url}/readyz`)).status).toBe(200);
  expect(authBroker.log()).not.toMatch(/"level":"error","msg":"request failed"/);
}, 300_000);

/** The status a broker answers to a POST announcing `size` bytes, of which only the first 1 KiB is sent. */
async function statusOfOversizedPost(base: string, path: string, size: number): Promise<number> {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n{${' '.repeat(1023)}`);
  let head = '';
  socket.on('error', () => undefined);
  for await (const chunk of socket) {
    head += (chunk as Buffer).toString('latin1');
    if (head.includes('\r\n')) break;
  }
  socket.destroy();
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1];
  if (!status) throw new Error(`no HTTP status line in ${JSON.stringify(head.slice(0, 200))}`);
  return Number(status);
}
