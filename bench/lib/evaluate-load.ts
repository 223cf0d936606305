/**
 * The load generator of bench/evaluator-http.bench.ts, run as a child process so the server's
 * core is its own: builds request bodies the way the broker does (batches of BATCH items) from
 * the engine benchmark's addresses, posts them with CONCURRENCY requests in flight over
 * keep-alive connections, reads each response whole, and prints one JSON line of totals.
 *
 * env: URL, FLOWS, DISTINCT (0 = every flow new), BATCH, CONCURRENCY, SEED
 */
import { Agent, request } from 'node:http';
import { NAMESPACES, PODS_PER_NS, podIp, rng } from './engine-cluster.js';

const url = new URL(process.env.URL ?? 'http://127.0.0.1:9091/evaluate');
const FLOWS = Number(process.env.FLOWS ?? 1_000_000);
const DISTINCT = Number(process.env.DISTINCT ?? 0);
const BATCH = Number(process.env.BATCH ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 2);
const rand = rng(Number(process.env.SEED ?? 7));

const EXTERNAL = 250;
const PORTS = [80, 443, 8080, 9090, 5432, 53, 8500];
const times = Array.from({ length: 60 }, (_, i) => new Date(Date.now() - i * 60_000).toISOString());

function end(): string {
  if (rand() < 0.05) return `203.0.113.${Math.floor(rand() * EXTERNAL)}`;
  return podIp(Math.floor(rand() * NAMESPACES), Math.floor(rand() * PODS_PER_NS));
}

function randomItem(id: number): string {
  const port = rand() < 0.85 ? PORTS[Math.floor(rand() * PORTS.length)]! : 1 + Math.floor(rand() * 65534);
  const protocol = rand() < 0.8 ? 'TCP' : 'UDP';
  const t = times[Math.floor(rand() * times.length)]!;
  return JSON.stringify({ id, observedAt: t, count: 1, direction: rand() < 0.5 ? 'Ingress' : 'Egress', flow: { src: { ip: end() }, dst: { ip: end() }, protocol, port } });
}

const pool = DISTINCT > 0 ? Array.from({ length: DISTINCT }, (_, i) => randomItem(i)) : [];
const bodies: string[] = [];
for (let sent = 0; sent < FLOWS; sent += BATCH) {
  const items: string[] = [];
  for (let i = 0; i < BATCH && sent + i < FLOWS; i++) items.push(DISTINCT > 0 ? pool[Math.floor(rand() * DISTINCT)]! : randomItem(sent + i));
  bodies.push(`{"flows":[${items.join(',')}]}`);
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => {
        if (res.statusCode === 200) resolve(bytes);
        else reject(new Error(`status ${res.statusCode ?? 0}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => { resolve(); }));
const started = performance.now();
let next = 0;
let responseBytes = 0;
const requestBytes = bodies.reduce((n, b) => n + b.length, 0);
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      // Not `responseBytes += await post(...)`: that reads the total before the await, so the
      // requests in flight overwrite each other's bytes.
      const bytes = await post(bodies[next++]!);
      responseBytes += bytes;
    }
  }),
);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ flows: FLOWS, requests: bodies.length, ms, requestBytes, responseBytes })}\n`);
agent.destroy();
