import { describe, expect, it } from 'vitest';
import { FlowAggregator } from './flow-aggregator.js';
import { PodIdentityIndex } from './pod-identity.js';
import { flowRecord } from './testing/records.js';

const T0 = 1_700_000_000_000; // ms, a bucket boundary for 1000 ms buckets
const ns = (ms: number): number => ms * 1_000_000;

function setup(exclude: string[] = [], earlyNewFlows = false): { agg: FlowAggregator; identity: PodIdentityIndex } {
  const identity = new PodIdentityIndex(['192.168.1.10'], 4026531840);
  identity.upsertPod({ namespace: 'web', name: 'client', uid: 'u-client', hostNetwork: false, ips: ['10.250.0.2', 'fd00:4b47::2'] });
  identity.upsertPod({ namespace: 'db', name: 'server', uid: 'u-server', hostNetwork: false, ips: ['10.250.0.3'] });
  return { agg: new FlowAggregator({ node: 'node-1', identity, bucketMs: 1000, excludeNamespaces: exclude, earlyNewFlows }), identity };
}

describe('FlowAggregator', () => {
  it('orients TCP by the record direction: egress src is local, ingress src is remote', () => {
    const { agg } = setup();
    agg.add(flowRecord({ direction: 'egress', localIp: '10.250.0.2', localPort: 40000, remoteIp: '10.250.0.3', remotePort: 8080, firstNs: ns(T0 + 5), lastNs: ns(T0 + 5) }));
    agg.add(flowRecord({ direction: 'ingress', localIp: '10.250.0.3', localPort: 8080, remoteIp: '10.250.0.2', remotePort: 40000, firstNs: ns(T0 + 6), lastNs: ns(T0 + 6) }));
    const out = agg.flush(T0 + 1000);
    expect(out).toEqual([
      {
        src: { ip: '10.250.0.2', port: 40000, kind: 'pod', namespace: 'web', pod: 'client', podUid: 'u-client' },
        dst: { ip: '10.250.0.3', port: 8080, kind: 'pod', namespace: 'db', pod: 'server', podUid: 'u-server' },
        protocol: 'TCP', direction: 'Egress', state: 'established',
        firstSeen: new Date(T0 + 5).toISOString(), lastSeen: new Date(T0 + 5).toISOString(), count: 1, node: 'node-1',
      },
      {
        src: { ip: '10.250.0.2', port: 40000, kind: 'pod', namespace: 'web', pod: 'client', podUid: 'u-client' },
        dst: { ip: '10.250.0.3', port: 8080, kind: 'pod', namespace: 'db', pod: 'server', podUid: 'u-server' },
        protocol: 'TCP', direction: 'Ingress', state: 'established',
        firstSeen: new Date(T0 + 6).toISOString(), lastSeen: new Date(T0 + 6).toISOString(), count: 1, node: 'node-1',
      },
    ]);
  });

  it('merges connections in one bucket, zeroing a varying source port, and splits buckets', () => {
    const { agg } = setup();
    for (const [port, at] of [[40000, T0 + 1], [40001, T0 + 900], [40002, T0 + 1500]] as const) {
      agg.add(flowRecord({ localPort: port, firstNs: ns(at), lastNs: ns(at) }));
    }
    expect(agg.flush(T0 + 999)).toEqual([]); // bucket still open
    const first = agg.flush(T0 + 1000);
    expect(first).toMatchObject([{ count: 2, src: { port: 0 }, firstSeen: new Date(T0 + 1).toISOString(), lastSeen: new Date(T0 + 900).toISOString() }]);
    expect(agg.flush(T0 + 2000)).toMatchObject([{ count: 1, src: { port: 40002 } }]);
  });

  describe('a new flow ships at the next flush, not at the end of its bucket', () => {
    const at = (ms: number, port = 40000) => flowRecord({ localPort: port, firstNs: ns(ms), lastNs: ns(ms) });

    it('ships the first sighting early and the rest of the bucket at its end, adding up', () => {
      const { agg } = setup([], true);
      agg.add(at(T0 + 100));
      expect(agg.flush(T0 + 200)).toMatchObject([{ count: 1, src: { port: 40000 }, firstSeen: new Date(T0 + 100).toISOString() }]);
      expect(agg.flush(T0 + 300)).toEqual([]); // nothing new since
      agg.add(at(T0 + 400, 40001));
      agg.add(at(T0 + 500, 40002));
      expect(agg.flush(T0 + 600)).toEqual([]); // no longer new: waits for the bucket
      expect(agg.flush(T0 + 1000)).toMatchObject([{ count: 2, src: { port: 0 }, firstSeen: new Date(T0 + 400).toISOString(), lastSeen: new Date(T0 + 500).toISOString() }]);
    });

    it('does not ship a flow seen in the previous bucket early, and does once it was quiet for a bucket', () => {
      const { agg } = setup([], true);
      agg.add(at(T0 + 100));
      expect(agg.flush(T0 + 1000)).toMatchObject([{ count: 1 }]);
      agg.add(at(T0 + 1100));
      expect(agg.flush(T0 + 1200)).toEqual([]); // seen in the previous bucket
      expect(agg.flush(T0 + 2000)).toMatchObject([{ count: 1 }]);
      agg.add(at(T0 + 3500)); // bucket 2 was quiet: new again
      expect(agg.flush(T0 + 3600)).toMatchObject([{ count: 1, firstSeen: new Date(T0 + 3500).toISOString() }]);
      expect(agg.flush(T0 + 4000)).toEqual([]);
    });

    it('emits nothing at the bucket end when the early observation was all there was', () => {
      const { agg } = setup([], true);
      agg.add(at(T0 + 100));
      expect(agg.flush(T0 + 200)).toHaveLength(1);
      expect(agg.flush(T0 + 1000, true)).toEqual([]);
      expect(agg.pending).toBe(0);
    });

    it('is off when asked: the bucket decides alone', () => {
      const { agg } = setup([], false);
      agg.add(at(T0 + 100));
      expect(agg.flush(T0 + 200)).toEqual([]);
      expect(agg.flush(T0 + 1000)).toMatchObject([{ count: 1 }]);
    });
  });

  it('keeps states apart: refused and established to the same port are two observations', () => {
    const { agg } = setup();
    agg.add(flowRecord({ state: 'refused', firstNs: ns(T0), lastNs: ns(T0) }));
    agg.add(flowRecord({ state: 'established', firstNs: ns(T0), lastNs: ns(T0) }));
    expect(agg.flush(T0, true).map((o) => o.state).sort()).toEqual(['established', 'refused']);
  });

  describe('counts a conversation per bucket, whatever the protocol', () => {
    interface Ends { localIp: string; localPort: number; remoteIp: string; remotePort: number }
    const server: Ends = { localIp: '10.250.0.3', localPort: 53, remoteIp: '10.250.0.2', remotePort: 5000 };
    const client: Ends = { localIp: '10.250.0.2', localPort: 5000, remoteIp: '10.250.0.3', remotePort: 53 };
    /** A UDP record seen at `at.end` (the server's, ingress, when absent). */
    const udp = (ms: number, rx: number, tx: number, kind: 'udpNew' | 'udpCount' = 'udpCount', at: { end: Ends; direction: 'ingress' | 'egress' } = { end: server, direction: 'ingress' }) =>
      flowRecord({ protocol: 'UDP', state: 'seen', direction: at.direction, kind, ...at.end, rxPackets: rx, txPackets: tx, firstNs: ns(T0), lastNs: ns(ms) });
    const tcp = (ms: number, port: number) => flowRecord({ localPort: port, firstNs: ns(ms), lastNs: ns(ms) });

    it.each([
      { title: 'a UDP request and its reply in one record, at the server', records: [udp(T0 + 5, 1, 1, 'udpNew')], counts: [1] },
      // The kernel's first record is the request; the next sweep adds the reply.
      { title: 'a UDP request and its reply in two records, at the server', records: [udp(T0 + 5, 1, 0, 'udpNew'), udp(T0 + 6, 1, 1)], counts: [1] },
      { title: 'a UDP request and its reply, at the client', records: [udp(T0 + 5, 0, 1, 'udpNew', { end: client, direction: 'egress' }), udp(T0 + 6, 1, 1, 'udpCount', { end: client, direction: 'egress' })], counts: [1] },
      { title: 'a one-way datagram', records: [udp(T0 + 5, 1, 0, 'udpNew')], counts: [1] },
      { title: 'a burst of datagrams on one flow in one bucket', records: [udp(T0 + 5, 1, 0, 'udpNew'), udp(T0 + 500, 100, 100), udp(T0 + 900, 150, 100)], counts: [1] },
      { title: 'a repeated sweep that saw nothing new', records: [udp(T0 + 5, 1, 1, 'udpNew'), udp(T0 + 5, 1, 1), udp(T0 + 5, 1, 1)], counts: [1] },
      { title: 'a UDP stream over three buckets: once in each', records: [udp(T0 + 5, 1, 0, 'udpNew'), udp(T0 + 1200, 40, 40), udp(T0 + 2300, 90, 90)], counts: [1, 1, 1] },
      { title: 'a UDP flow idle for a bucket, then active again', records: [udp(T0 + 5, 1, 1, 'udpNew'), udp(T0 + 2100, 2, 2)], counts: [1, 1] },
      { title: 'a TCP connection', records: [tcp(T0 + 5, 40000)], counts: [1] },
      { title: 'two TCP connections from two source ports in one bucket', records: [tcp(T0 + 5, 40000), tcp(T0 + 6, 40001)], counts: [2] },
    ])('$title counts $counts', ({ records, counts }) => {
      const { agg } = setup();
      for (const r of records) agg.add(r);
      expect(agg.flush(T0 + 10_000).map((o) => o.count)).toEqual(counts);
    });

    it('counts two UDP flows from two source ports (two DNS queries) twice', () => {
      const { agg } = setup();
      agg.add(udp(T0 + 5, 1, 1, 'udpNew'));
      agg.add(udp(T0 + 6, 1, 1, 'udpNew', { end: { ...server, remotePort: 5001 }, direction: 'ingress' }));
      expect(agg.flush(T0 + 1000)).toMatchObject([{ count: 2, src: { port: 0 }, dst: { port: 53, pod: 'server' }, direction: 'Ingress' }]);
    });

    it('lets the reply move the last-seen time without counting it', () => {
      const { agg } = setup();
      agg.add(udp(T0 + 5, 1, 0, 'udpNew'));
      agg.add(udp(T0 + 700, 1, 1));
      expect(agg.flush(T0 + 1000)).toMatchObject([{ count: 1, firstSeen: new Date(T0).toISOString(), lastSeen: new Date(T0 + 700).toISOString() }]);
    });

    it('ships a conversation once although its reply comes after the early observation', () => {
      const { agg } = setup([], true);
      agg.add(udp(T0 + 5, 1, 0, 'udpNew'));
      expect(agg.flush(T0 + 100).map((o) => o.count)).toEqual([1]);
      agg.add(udp(T0 + 150, 1, 1));
      expect(agg.flush(T0 + 1000)).toEqual([]); // before: a second row for the reply
    });

    it('counts a flow the kernel re-created in a later bucket again, from its new total', () => {
      const { agg } = setup();
      agg.add(udp(T0 + 5, 10, 0));
      agg.add(udp(T0 + 1005, 1, 0, 'udpNew'));
      agg.add(udp(T0 + 1010, 3, 0));
      expect(agg.flush(T0 + 10_000).map((o) => o.count)).toEqual([1, 1]);
    });
  });

  it.each([
    { title: 'a node address', ip: '192.168.1.10', netns: 1, kind: 'node' },
    { title: 'an unknown local address in the host netns', ip: '172.17.0.1', netns: 4026531840, kind: 'host' },
    { title: 'an unknown local address elsewhere', ip: '172.17.0.1', netns: 99, kind: 'unknown' },
  ])('marks $title as $kind', ({ ip, netns, kind }) => {
    const { agg } = setup();
    agg.add(flowRecord({ localIp: ip, netns, remoteIp: '8.8.8.8', firstNs: ns(T0), lastNs: ns(T0) }));
    expect(agg.flush(T0, true)).toMatchObject([{ src: { kind }, dst: { kind: 'external', ip: '8.8.8.8' } }]);
  });

  it('drops flows touching an excluded namespace, and excludes nothing by default', () => {
    const excluded = setup(['db']).agg;
    const open = setup().agg;
    for (const agg of [excluded, open]) agg.add(flowRecord({ firstNs: ns(T0), lastNs: ns(T0) }));
    expect(excluded.flush(T0, true)).toEqual([]);
    expect(excluded.excludedCount).toBe(1);
    expect(open.flush(T0, true)).toHaveLength(1);
  });

  it('stamps identity at observation time, so a reused pod IP keeps the old owner', () => {
    const { agg, identity } = setup();
    agg.add(flowRecord({ firstNs: ns(T0), lastNs: ns(T0) }));
    identity.deletePod('u-server');
    identity.upsertPod({ namespace: 'other', name: 'new', uid: 'u-new', hostNetwork: false, ips: ['10.250.0.3'] });
    expect(agg.flush(T0, true)).toMatchObject([{ dst: { pod: 'server', namespace: 'db' } }]);
  });
});
