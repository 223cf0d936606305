/**
 * Real traffic for the playground and the end-to-end test, run inside a "pod" with
 * `ip netns exec NS node --import tsx playground/traffic-tool.ts COMMAND ...`. Prints JSON lines.
 *
 *   serve SPEC...                 SPEC is tcp:PORT, tcp:FIRST-LAST or udp:PORT; TCP accepts and
 *                                 closes, UDP echoes (a stand-in DNS server); prints {"listening":n}
 *   tcp HOST PORT COUNT           COUNT sequential connections; {"established":n,"failed":n}
 *   udp HOST PORT COUNT           COUNT request/response exchanges from one socket, like DNS
 *                                 lookups; {"sent":n,"replies":n}
 *   paced HOST FIRST N GAP_MS     connection i to port FIRST+i every GAP_MS; one line per
 *                                 connection {"port","at"} (epoch ms when established), then totals
 */
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

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

function listenUdp(port: number): Promise<void> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.on('message', (msg, rinfo) => { sock.send(msg, rinfo.port, rinfo.address); });
    sock.bind(port, '0.0.0.0', resolve);
  });
}

async function serve(specs: string[]): Promise<void> {
  let n = 0;
  for (const spec of specs) {
    const [proto, range] = spec.split(':');
    for (const port of ports(range ?? '')) {
      await (proto === 'udp' ? listenUdp(port) : listenTcp(port));
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

async function udp(host: string, port: number, count: number): Promise<void> {
  const sock = createSocket('udp4');
  let replies = 0;
  let waiting: (() => void) | undefined;
  sock.on('message', () => {
    replies++;
    waiting?.();
  });
  for (let i = 0; i < count; i++) {
    const answered = new Promise<void>((resolve) => {
      waiting = resolve;
      setTimeout(resolve, 1000);
    });
    sock.send(`query ${i}`, port, host);
    await answered;
  }
  sock.close();
  print({ sent: count, replies });
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
  udp: () => udp(host, num(1), num(2)),
  paced: () => paced(host, num(1), num(2), num(3)),
};
const chosen = commands[command ?? ''];
if (!chosen) {
  process.stderr.write('usage: traffic-tool.ts serve SPEC... | tcp HOST PORT N | udp HOST PORT N | paced HOST FIRST N GAP_MS\n');
  process.exit(2);
}
await chosen();
