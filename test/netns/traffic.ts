/**
 * Real clients and servers for the kernel tests, run inside a "pod" with
 * `ip netns exec NS node --import tsx test/netns/traffic.ts COMMAND ...`. Each prints one JSON
 * line: servers `{"listening":port}` when ready, clients a summary of what they did (local
 * ports, outcomes), so a test can assert that exactly those flows were reported.
 *
 *   tcp-server PORT                  accept and close connections until killed
 *   tcp-connect HOST PORT COUNT [TIMEOUT_MS]   COUNT sequential connections, then close each
 *                                    (TIMEOUT_MS, 20 s by default, per connect)
 *   udp-server PORT [sink]           echo every datagram back to its sender (or just read it)
 *   udp-send HOST PORT COUNT [WAIT_REPLIES] [GAP_MS]   COUNT unconnected sendto() from one socket
 *                                    (WAIT_REPLIES: 'wait' or 'nowait'; GAP_MS: one at a time, this far apart)
 *   udp-send-many PORT HOST...       one unconnected socket, one datagram to each HOST:PORT
 *   udp-send-ports HOST FIRST COUNT  one unconnected socket, one datagram to each of the ports
 *                                    FIRST..FIRST+COUNT-1 of HOST: COUNT distinct UDP flows
 *   tcp-rate HOST PORT RATE SECONDS  open RATE connections per second (closed with RST, so no
 *                                    TIME_WAIT piles up), print how many were established
 *   udp-rate HOST PORT RATE SECONDS  send RATE datagrams per second on one flow
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, isIPv6 } from 'node:net';

type Outcome = 'established' | 'refused' | 'timeout' | 'error';

async function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

async function sendOne(sock: Socket, data: Buffer | string, port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    sock.send(data, port, host, (err) => {
      resolve(!err);
    });
  });
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function tcpServer(port: number): void {
  const server = createServer((sock) => {
    sock.on('error', () => undefined);
    sock.end();
  });
  server.listen({ port, host: '::', ipv6Only: false }, () => {
    print({ listening: port });
  });
}

async function tcpConnectOnce(host: string, port: number, timeoutMs: number): Promise<{ outcome: Outcome; localPort: number }> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    // An event-loop turn runs due timers before it polls for I/O: after this process was kept off
    // the CPU past the deadline (a busy machine), a connect the kernel completed long ago would
    // still lose to the timer. setImmediate runs after that turn's I/O, so it sees it first.
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (!sock.connecting) return; // settled meanwhile: 'connect' or 'error' resolved it
        const localPort = sock.localPort ?? 0;
        sock.destroy();
        resolve({ outcome: 'timeout', localPort });
      });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      const localPort = sock.localPort ?? 0;
      sock.end();
      resolve({ outcome: 'established', localPort });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ outcome: err.code === 'ECONNREFUSED' ? 'refused' : 'error', localPort: 0 });
    });
  });
}

async function tcpConnect(host: string, port: number, count: number, timeoutMs: number): Promise<void> {
  const results = [];
  for (let i = 0; i < count; i++) results.push(await tcpConnectOnce(host, port, timeoutMs));
  print({ results });
}

function udpServer(port: number, sink: boolean): void {
  const sock = createSocket({ type: 'udp6', ipv6Only: false });
  sock.on('message', (msg, rinfo) => {
    if (!sink) sock.send(msg, rinfo.port, rinfo.address);
  });
  sock.bind(port, () => {
    print({ listening: port });
  });
}

async function udpSend(host: string, port: number, count: number, waitReplies: boolean, gapMs = 0): Promise<void> {
  const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  let replies = 0;
  let sent = 0;
  sock.on('message', () => {
    replies++;
  });
  await new Promise<void>((resolve) => {
    sock.bind(0, resolve);
  });
  const payload = Buffer.alloc(32, 'k');
  // In windows of 256 so the send queue never overflows (ENOBUFS would make counts inexact).
  for (let i = 0; i < count; ) {
    if (gapMs > 0 && i > 0) await sleep(gapMs);
    const window = gapMs > 0 ? 1 : Math.min(256, count - i);
    const oks = await Promise.all(Array.from({ length: window }, () => sendOne(sock, payload, port, host)));
    sent += oks.filter(Boolean).length;
    i += window;
  }
  // Replies on a host this lab owns are not lost, only late when the echo server waits for a CPU:
  // the deadline is for a server that never answers, and the last look comes after pending I/O.
  const deadline = Date.now() + 20_000;
  while (waitReplies && replies < sent && Date.now() < deadline) await sleep(10);
  if (waitReplies && replies < sent) await new Promise((resolve) => setImmediate(resolve));
  print({ localPort: sock.address().port, sent, replies });
  sock.close();
}

async function udpSendMany(port: number, hosts: string[]): Promise<void> {
  const sock = createSocket(isIPv6(hosts[0] ?? '') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => {
    sock.bind(0, resolve);
  });
  let sent = 0;
  for (const host of hosts) if (await sendOne(sock, 'hello', port, host)) sent++;
  print({ localPort: sock.address().port, sent });
  sock.close();
}

async function udpSendPorts(host: string, first: number, count: number): Promise<void> {
  const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => {
    sock.bind(0, resolve);
  });
  const payload = Buffer.alloc(32, 'k');
  const ports: number[] = [];
  // In windows of 256, like udp-send, so ENOBUFS never makes the count inexact.
  for (let i = 0; i < count; ) {
    const window = Array.from({ length: Math.min(256, count - i) }, (_, k) => first + i + k);
    const oks = await Promise.all(window.map((port) => sendOne(sock, payload, port, host)));
    window.forEach((port, k) => {
      if (oks[k]) ports.push(port);
    });
    i += window.length;
  }
  print({ localPort: sock.address().port, sent: ports.length, ports });
  sock.close();
}

/** Runs `tick(n)` every 10 ms with the number of operations due so far, for `seconds`. */
async function paced(rate: number, seconds: number, tick: (due: number) => Promise<void>): Promise<number> {
  const start = Date.now();
  let done = 0;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * rate) - done;
    if (due > 0) {
      await tick(due);
      done += due;
    } else {
      await sleep(5);
    }
  }
  return (Date.now() - start) / 1000;
}

async function tcpOpenReset(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.once('connect', () => {
      sock.resetAndDestroy();
      resolve(true);
    });
    sock.once('error', () => {
      resolve(false);
    });
  });
}

async function tcpRate(host: string, port: number, rate: number, seconds: number): Promise<void> {
  let established = 0;
  let failed = 0;
  const elapsed = await paced(rate, seconds, async (due) => {
    const oks = await Promise.all(Array.from({ length: due }, () => tcpOpenReset(host, port)));
    for (const ok of oks) if (ok) established++; else failed++;
  });
  print({ established, failed, seconds: elapsed });
}

async function udpRate(host: string, port: number, rate: number, seconds: number): Promise<void> {
  const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => {
    sock.bind(0, resolve);
  });
  const payload = Buffer.alloc(32, 'k');
  let sent = 0;
  const elapsed = await paced(rate, seconds, async (due) => {
    for (let i = 0; i < due; i += 256) {
      const oks = await Promise.all(Array.from({ length: Math.min(256, due - i) }, () => sendOne(sock, payload, port, host)));
      sent += oks.filter(Boolean).length;
    }
  });
  print({ localPort: sock.address().port, sent, seconds: elapsed });
  sock.close();
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const num = (i: number, fallback?: number): number => Number(args[i] ?? fallback);
  switch (command) {
    case 'tcp-server':
      tcpServer(num(0));
      return;
    // The default only bounds a connect that never completes; one meant to time out says so (300 ms).
    case 'tcp-connect': return tcpConnect(args[0]!, num(1), num(2), num(3, 20_000));
    case 'udp-server':
      udpServer(num(0), args[1] === 'sink');
      return;
    case 'udp-send': return udpSend(args[0]!, num(1), num(2), args[3] === 'wait', num(4, 0));
    case 'udp-send-many': return udpSendMany(num(0), args.slice(1));
    case 'udp-send-ports': return udpSendPorts(args[0]!, num(1), num(2));
    case 'tcp-rate': return tcpRate(args[0]!, num(1), num(2), num(3));
    case 'udp-rate': return udpRate(args[0]!, num(1), num(2), num(3));
    default: throw new Error(`unknown command ${command ?? '(none)'}`);
  }
}

await main(process.argv.slice(2));
