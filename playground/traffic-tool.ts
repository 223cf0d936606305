/**
 * Real traffic for the playground and the end-to-end test, run inside a "pod" with
 * `ip netns exec NS node --import tsx playground/traffic-tool.ts COMMAND ...`. Prints JSON lines.
 *
 *   serve SPEC...                 SPEC is tcp:PORT or tcp:FIRST-LAST (accepts and closes), dns:PORT
 *                                 (a real DNS server, playground/dns-server.ts) or a:NAME=IP (an A
 *                                 record it serves); prints {"listening":n}
 *   tcp HOST PORT COUNT           COUNT sequential connections; {"established":n,"failed":n}
 *   resolve SERVER NAME COUNT     COUNT A lookups of NAME with node's dns.Resolver (c-ares) asking
 *                                 only SERVER, one try each; {"lookups":n,"answered":n,"addresses":[...]}
 *   paced HOST FIRST N GAP_MS     connection i to port FIRST+i every GAP_MS; one line per
 *                                 connection {"port","at"} (epoch ms when established), then totals
 */
import { Resolver } from 'node:dns/promises';
import { connect, createServer } from 'node:net';
import { serveDns, zoneFrom } from './dns-server.js';

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function ports(spec: string): number[] {
  const [first = NaN, last = first] = spec.split('-').map(Number);
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}

function listenTcp(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.end();
    });
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
}

async function serve(specs: string[]): Promise<void> {
  const records = specs.filter((s) => s.startsWith('a:')).map((s) => s.slice(2));
  let n = 0;
  for (const spec of specs) {
    const [proto, range] = spec.split(':');
    if (proto === 'a') continue;
    if (proto !== 'tcp' && proto !== 'dns') throw new Error(`unknown serve spec ${spec}`);
    for (const port of ports(range ?? '')) {
      await (proto === 'dns' ? serveDns(port, zoneFrom(records)) : listenTcp(port));
      n++;
    }
  }
  print({ listening: n });
}

function connectOnce(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.setTimeout(5000, () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('connect', () => {
      sock.end();
      resolve(true);
    });
    sock.once('error', () => { resolve(false); });
  });
}

async function tcp(host: string, port: number, count: number): Promise<void> {
  let established = 0;
  for (let i = 0; i < count; i++) if (await connectOnce(host, port)) established++;
  print({ established, failed: count - established });
}

async function resolve(server: string, name: string, count: number): Promise<void> {
  // tries 1: a lost packet shows as a failed lookup instead of a retry that changes the counts.
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([server]);
  let answered = 0;
  const addresses = new Set<string>();
  for (let i = 0; i < count; i++) {
    try {
      for (const a of await resolver.resolve4(name)) addresses.add(a);
      answered++;
    } catch (err) {
      process.stderr.write(`lookup ${i + 1} of ${name} at ${server}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  print({ lookups: count, answered, addresses: [...addresses] });
}

async function paced(host: string, first: number, n: number, gapMs: number): Promise<void> {
  const start = Date.now();
  const pending: Promise<void>[] = [];
  let established = 0;
  for (let i = 0; i < n; i++) {
    const due = start + i * gapMs;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const at = Date.now();
    pending.push(
      connectOnce(host, first + i).then((ok) => {
        if (!ok) return;
        established++;
        print({ port: first + i, at });
      }),
    );
  }
  await Promise.all(pending);
  print({ established, failed: n - established });
}

const [command, ...args] = process.argv.slice(2);
const num = (i: number): number => Number(args[i]);
const host = args[0] ?? '';
const commands: Record<string, () => Promise<void>> = {
  serve: () => serve(args),
  tcp: () => tcp(host, num(1), num(2)),
  resolve: () => resolve(host, args[1] ?? '', num(2)),
  paced: () => paced(host, num(1), num(2), num(3)),
};
const chosen = commands[command ?? ''];
if (!chosen) {
  process.stderr.write('usage: traffic-tool.ts serve SPEC... | tcp HOST PORT N | resolve SERVER NAME N | paced HOST FIRST N GAP_MS\n');
  process.exit(2);
}
await chosen();
