// Loss is counted, never silent, on the real kernel: a ring buffer nobody drains (kg-loader paused
// with SIGSTOP, sized down to one page) must drop records and count every drop, and a UDP flow
// table sized down to 64 entries must evict flows and count the evictions, in kg-loader's
// counters records, in its exit report, and in the agent's /metrics.
//
// Exact accounting needs to see only our traffic: the loaders here run with --no-tcp and attach
// their cgroup_skb programs to a throwaway cgroup (TestCgroup) holding only the sender, so every
// ring buffer reservation and every UDP insert is ours, whatever else runs on the machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersRecord, FlowRecord } from '../../daemons/agent/record-decoder.js';
import { freePort } from '../../daemons/broker/testing/broker-process.js';
import { AgentProcess } from './agent-process.js';
import { Capture } from './capture.js';
import { TestCgroup } from './cgroup.js';
import { FlowSink } from './flow-sink.js';
import { NetnsLab, type LabPod } from './lab.js';
import { REPO_ROOT } from './paths.js';
import { requireRoot } from './require-root.js';
import { run } from './run.js';

requireRoot('kernel loss-counter tests');

const TRAFFIC = `${REPO_ROOT}test/netns/traffic.ts`;
/** A kernel ring buffer record: the 104-byte flow record plus the ring's 8-byte header. */
const RING_RECORD_BYTES = 104 + 8;
const RINGBUF_KB = 4;
const RING_CAPACITY = Math.floor((RINGBUF_KB << 10) / RING_RECORD_BYTES);
const MAX_FLOWS = 64;
/** Distinct UDP flows each test makes: far more than the ring buffer or the flow table holds. */
const FLOWS = 400;

let lab: NetnsLab;
let cgroup: TestCgroup;
let client: LabPod;
let server: LabPod;

beforeAll(async () => {
  lab = await NetnsLab.create();
  client = await lab.addPod('client');
  server = await lab.addPod('server');
  cgroup = TestCgroup.create(`${lab.prefix}-loss`);
  lab.onDestroy(() => cgroup.destroy());
});

afterAll(async () => {
  await lab?.destroy();
});

interface SendPorts {
  localPort: number;
  sent: number;
  ports: number[];
}

/** One datagram from `client` to each of `count` closed ports of `server`, sent from inside the test
 * cgroup: `count` distinct flows, one UDP insert (and one ring buffer reservation) each. */
async function sendToPorts(first: number, count: number): Promise<SendPorts> {
  const [cmd, ...args] = cgroup.command(['ip', 'netns', 'exec', client.netns, process.execPath, '--import', 'tsx', TRAFFIC, 'udp-send-ports', server.ipv4, String(first), String(count)]);
  const out = await run(cmd!, args);
  return JSON.parse(out.trim().split('\n').pop()!) as SendPorts;
}

/** Runs `body` with `pid` stopped (SIGSTOP), and always resumes it (SIGCONT). */
async function whilePaused<T>(pid: number, body: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await body();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/** The increase of every counter between two counters records. */
function grew(before: CountersRecord, after: CountersRecord): Omit<CountersRecord, 'kind' | 'timeNs' | 'udpLiveFlows'> {
  return {
    ringbufDrops: after.ringbufDrops - before.ringbufDrops,
    udpInserts: after.udpInserts - before.udpInserts,
    udpMapErrors: after.udpMapErrors - before.udpMapErrors,
    udpUnparsed: after.udpUnparsed - before.udpUnparsed,
    udpEvictions: after.udpEvictions - before.udpEvictions,
  };
}

const ours = (sent: SendPorts) => (r: FlowRecord): boolean =>
  r.protocol === 'UDP' && r.localIp === client.ipv4 && r.localPort === sent.localPort && r.remoteIp === server.ipv4;

describe('kg-loader with a ring buffer nobody drains', () => {
  it('drops records and counts every one: records emitted + drops == flows made', async () => {
    const capture = new Capture(['--no-tcp', '--cgroup', cgroup.path, '--ringbuf-kb', String(RINGBUF_KB), '--flush-ms', '200', '--udp-idle-ms', '3600000']);
    try {
      await capture.ready();
      const before = capture.counters.at(-1)!;
      const sent = await whilePaused(capture.pid!, () => sendToPorts(21000, FLOWS));
      await capture.nextSweeps(2);
      await capture.stop();
      const after = capture.counters.at(-1)!;
      const announced = capture.flows.filter((r) => r.kind === 'udpNew');
      expect(sent.sent).toBe(FLOWS);
      // Only our sender is in the cgroup and TCP is off: every reservation was one of our flows.
      expect(announced.every(ours(sent))).toBe(true);
      expect(announced.length).toBeLessThanOrEqual(RING_CAPACITY);
      expect(grew(before, after)).toEqual({ ringbufDrops: FLOWS - announced.length, udpInserts: FLOWS, udpMapErrors: 0, udpUnparsed: 0, udpEvictions: 0 });
      expect(announced.length + after.ringbufDrops - before.ringbufDrops).toBe(FLOWS);
      // A lost announcement loses no flow: the sweep still reports each one from the table.
      const reported = new Set(capture.flows.filter(ours(sent)).map((r) => r.remotePort));
      expect([...reported].sort((a, b) => a - b)).toEqual(sent.ports);
      // The loader's own exit report says the same.
      expect(capture.stderr.join('\n')).toContain(`kg-loader: loss: ${after.ringbufDrops} ring buffer drop(s), 0 UDP LRU eviction(s)`);
    } finally {
      await capture.stop().catch(() => undefined);
    }
  });
});

describe('kg-loader with a UDP flow table smaller than the flows', () => {
  it('evicts flows and counts the evictions: evictions + flows still held == flows made', async () => {
    const capture = new Capture(['--no-tcp', '--cgroup', cgroup.path, '--udp-max-flows', String(MAX_FLOWS), '--flush-ms', '200', '--udp-idle-ms', '3600000']);
    try {
      await capture.ready();
      const before = capture.counters.at(-1)!;
      const sent = await sendToPorts(22000, FLOWS);
      await capture.nextSweeps(2);
      await capture.stop();
      const after = capture.counters.at(-1)!;
      const d = grew(before, after);
      expect(sent.sent).toBe(FLOWS);
      // Every flow was announced (the ring buffer is large and drained), then most were evicted.
      expect(capture.flows.filter((r) => r.kind === 'udpNew' && ours(sent)(r))).toHaveLength(FLOWS);
      expect(d).toMatchObject({ ringbufDrops: 0, udpInserts: FLOWS, udpMapErrors: 0 });
      expect(after.udpLiveFlows).toBeLessThanOrEqual(MAX_FLOWS);
      expect(d.udpEvictions).toBeGreaterThanOrEqual(FLOWS - MAX_FLOWS);
      // No idle deletions (--udp-idle-ms is an hour): whatever the table no longer holds was evicted.
      expect(d.udpEvictions + after.udpLiveFlows).toBe(FLOWS);
      // A sweep counts only what the table holds. Over several sweeps the union can exceed the table
      // (a sweep that ran while flows were still being sent saw a set later evicted), so each sweep
      // (the count records before its counters record) is bounded on its own.
      let sweep = new Set<number>();
      let sweeps = 0;
      for (const r of capture.records) {
        if (r.kind === 'counters') {
          expect(sweep.size).toBeLessThanOrEqual(MAX_FLOWS);
          sweeps += sweep.size > 0 ? 1 : 0;
          sweep = new Set();
        } else if (r.kind === 'udpCount' && ours(sent)(r)) sweep.add(r.remotePort);
      }
      expect(sweep.size).toBeLessThanOrEqual(MAX_FLOWS);
      expect(sweeps).toBeGreaterThan(0);
      expect(capture.stderr.join('\n')).toContain(`kg-loader: loss: 0 ring buffer drop(s), ${after.udpEvictions} UDP LRU eviction(s)`);
    } finally {
      await capture.stop().catch(() => undefined);
    }
  });
});

describe('the agent', () => {
  it('exports both losses in /metrics, equal to what kg-loader reports', async () => {
    const sink = await FlowSink.start();
    const agent = await AgentProcess.start({
      node: 'kg-loss-node',
      brokerUrl: sink.url,
      metricsPort: freePort(),
      loaderArgs: ['--no-tcp', '--cgroup', cgroup.path, '--ringbuf-kb', String(RINGBUF_KB), '--udp-max-flows', String(MAX_FLOWS), '--flush-ms', '200', '--udp-idle-ms', '3600000'],
    });
    try {
      const loaderPid = Number((await run('pgrep', ['-P', String(agent.pid), '-x', 'kg-loader'])).trim());
      expect(loaderPid).toBeGreaterThan(0);
      const sent = await whilePaused(loaderPid, () => sendToPorts(23000, FLOWS));
      expect(sent.sent).toBe(FLOWS);
      const metric = async (name: string): Promise<number> => (await agent.metric(`kguardian_agent_kernel_${name}`)) ?? NaN;
      // Every flow is either still in the table or counted as evicted, once the sweeps have run.
      await agent.waitFor('the evictions in /metrics', async () => (await metric('udp_evictions_total')) + (await metric('udp_flows')) === FLOWS);
      const drops = await metric('ringbuf_drops_total');
      const evictions = await metric('udp_evictions_total');
      expect(drops).toBeGreaterThanOrEqual(FLOWS - RING_CAPACITY);
      expect(drops).toBeLessThan(FLOWS);
      expect(evictions).toBeGreaterThanOrEqual(FLOWS - MAX_FLOWS);
      expect(await metric('udp_map_errors_total')).toBe(0);
      expect(await agent.stop()).toBe(0);
      expect(agent.log()).toContain(`kg-loader: loss: ${drops} ring buffer drop(s), ${evictions} UDP LRU eviction(s)`);
      expect(agent.log()).toContain(`kguardian-agent: kernel lost`);
    } finally {
      await agent.stop();
      await sink.close();
    }
  });
});
