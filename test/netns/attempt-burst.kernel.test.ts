// Real kernel: a burst of outbound connects that never complete, from many "pods" at once, the way a
// NetworkPolicy enforcer's REJECT (ICMP errors, rate-limited per peer) and DROP rules leave them. The
// kernel ends each one itself, mostly in softirq: an ICMP error arriving, or the retransmission timer
// giving up (TCP_SYNCNT 1: about 3 s). Every socket must be reported exactly once, outbound, at its
// own address and port. The agent once took these from the sock:inet_sock_set_state tracepoint,
// whose program the kernel may skip in softirq when it interrupts another tracing program on that
// CPU; on a loaded node a few of these ends went missing (the enforcement test's "capture gaps").
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowRecord } from '../../daemons/agent/record-decoder.js';
import { Capture } from './capture.js';
import { NetnsLab, type LabPod } from './lab.js';
import { buildLoadgen, loadgen } from './loadgen.js';
import { requireRoot } from './require-root.js';

requireRoot('failed-attempt burst tests');

interface SynTimeoutResult {
  ports: number[];
  timedOut: number;
  refused: number;
  established: number;
  other: number;
}

const CLIENTS = 8;
const SOCKETS = 200; // per client and port
const REJECTED = 81;
const DROPPED = 82;

let lab: NetnsLab;
let capture: Capture;
let server: LabPod;
const clients: LabPod[] = [];

beforeAll(async () => {
  await buildLoadgen();
  lab = await NetnsLab.create();
  for (let i = 0; i < CLIENTS; i++) clients.push(await lab.addPod(`c${i}`));
  server = await lab.addPod('server');
  await lab.exec(server, 'iptables', ['-A', 'INPUT', '-p', 'tcp', '--dport', String(REJECTED), '-j', 'REJECT']);
  await lab.exec(server, 'iptables', ['-A', 'INPUT', '-p', 'tcp', '--dport', String(DROPPED), '-j', 'DROP']);
  capture = new Capture(['--flush-ms', '200']);
  await capture.ready();
});

afterAll(async () => {
  await capture?.stop();
  await lab?.destroy();
});

it('reports every outbound connect a REJECT or DROP rule ends, once each, from 8 pods at once', async () => {
  const runs = clients.flatMap((client) => [REJECTED, DROPPED].map(async (port) => ({
    client, port, result: await loadgen<SynTimeoutResult>(client, ['tcp-syn-timeout', server.ipv4, port, SOCKETS]),
  })));
  const done = await Promise.all(runs);
  for (const { result } of done) {
    expect(result.established + result.other).toBe(0);
    expect(result.timedOut + result.refused).toBe(SOCKETS);
  }
  // Each try's own end: the client's address and the local port the kernel gave it.
  const tried = new Map<string, number>();
  for (const { client, port, result } of done) {
    for (const p of result.ports) tried.set(`${client.ipv4}:${p}>${port}`, (tried.get(`${client.ipv4}:${p}>${port}`) ?? 0) + 1);
  }
  const mine = (r: FlowRecord): boolean => r.protocol === 'TCP' && r.remoteIp === server.ipv4 && (r.remotePort === REJECTED || r.remotePort === DROPPED);
  const total = CLIENTS * 2 * SOCKETS;
  await capture.waitFor(`${total} attempt records`, () => capture.flows.filter(mine).length >= total, 30_000).catch(() => undefined);
  await capture.nextSweeps();
  const reported = new Map<string, number>();
  for (const r of capture.flows.filter(mine)) {
    expect([r.direction, r.netns]).toEqual(['egress', clients.find((c) => c.ipv4 === r.localIp)?.netnsInode]);
    expect(['attempt', 'refused']).toContain(r.state);
    const k = `${r.localIp}:${r.localPort}>${r.remotePort}`;
    reported.set(k, (reported.get(k) ?? 0) + 1);
  }
  const missing = [...tried].filter(([k, n]) => (reported.get(k) ?? 0) !== n).map(([k, n]) => `${k} tried ${n}, reported ${reported.get(k) ?? 0}`);
  expect(missing).toEqual([]);
  expect(capture.counters.at(-1)?.ringbufDrops).toBe(0);
});
