import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { RecordDecoder, RecordFormatError } from './record-decoder.js';
import { conntrackRecord, countersRecord, encodeFlow, encodeRecord, flowRecord, natRecord } from './testing/records.js';

describe('RecordDecoder', () => {
  it.each([
    { title: 'TCP IPv4 outbound established', rec: flowRecord() },
    { title: 'TCP IPv6 inbound', rec: flowRecord({ localIp: 'fd00:4b47::3', remoteIp: 'fd00:4b47::2', direction: 'ingress', family: 6 }) },
    { title: 'TCP refused', rec: flowRecord({ state: 'refused' }) },
    {
      title: 'UDP count with large counters',
      rec: flowRecord({ kind: 'udpCount', protocol: 'UDP', state: 'seen', txPackets: 2 ** 40, rxBytes: 2 ** 52 + 1, netns: 0 }),
    },
  ])('round-trips $title', ({ rec }) => {
    expect(new RecordDecoder().push(encodeFlow(rec))).toEqual([rec]);
  });

  it('decodes records split across arbitrary chunk boundaries', () => {
    const recs = [flowRecord(), countersRecord({ ringbufDrops: 3 }), natRecord(), conntrackRecord({ lookups: 2 }), flowRecord({ localPort: 1 })];
    const bytes = Buffer.concat(recs.map(encodeRecord));
    const decoder = new RecordDecoder();
    const out = [];
    for (let i = 0; i < bytes.length; i += 7) out.push(...decoder.push(bytes.subarray(i, i + 7)));
    expect(out).toEqual(recs);
    expect(decoder.buffered).toBe(0);
  });

  it.each([
    { title: 'TCP IPv4 to a ClusterIP', rec: natRecord() },
    {
      title: 'UDP IPv6 to a ClusterIP',
      rec: natRecord({ protocol: 'UDP', clientIp: 'fd00:4b47:0:1::2', clientPort: 5353, serviceIp: 'fd00:10:96::a', servicePort: 53, backendIp: 'fd00:4b47:0:2::3', backendPort: 1053 }),
    },
    { title: 'a backend port at the top of the range', rec: natRecord({ backendPort: 65535, clientPort: 1 }) },
  ])('round-trips the NAT record of $title', ({ rec }) => {
    expect(new RecordDecoder().push(encodeRecord(rec))).toEqual([rec]);
  });

  it.each([
    { title: 'lookups on', rec: conntrackRecord({ lookups: 2 ** 40, hits: 7, misses: 3, errors: 1, pending: 2 }) },
    { title: 'lookups off', rec: conntrackRecord({ lookups: 5, misses: 5, available: false }) },
  ])('round-trips the conntrack counters, $title', ({ rec }) => {
    expect(new RecordDecoder().push(encodeRecord(rec))).toEqual([rec]);
  });

  it.each([
    { title: 'NAT', rec: natRecord(), what: 'NAT record of 32 bytes, expected 64' },
    { title: 'conntrack', rec: conntrackRecord(), what: 'conntrack record of 32 bytes, expected 64' },
  ])('refuses a $title record shorter than its layout', ({ rec, what }) => {
    const buf = encodeRecord(rec).subarray(0, 32);
    buf.writeUInt16LE(32, 4);
    expect(() => new RecordDecoder().push(buf)).toThrow(new RecordFormatError(what));
  });

  it('refuses a NAT record with an unknown address family', () => {
    const buf = encodeRecord(natRecord());
    buf.writeUInt8(7, 8);
    expect(() => new RecordDecoder().push(buf)).toThrow(new RecordFormatError('unknown address family 7 in a NAT record'));
  });

  it('refuses a record version it does not know', () => {
    const buf = encodeFlow(flowRecord());
    buf.writeUInt16LE(2, 0);
    expect(() => new RecordDecoder().push(buf)).toThrow(new RecordFormatError('record version 2 from kg-loader, this agent reads version 1'));
  });

  it('skips an unknown record type by its size and keeps going', () => {
    const unknown = Buffer.alloc(16);
    unknown.writeUInt16LE(1, 0);
    unknown.writeUInt16LE(99, 2);
    unknown.writeUInt16LE(16, 4);
    const decoder = new RecordDecoder();
    expect(decoder.push(Buffer.concat([unknown, encodeFlow(flowRecord())]))).toEqual([flowRecord()]);
    expect(decoder.skipped).toBe(1);
  });

  it.each(['::', '::1', 'fd00::', 'fd00:4b47::3', '2001:db8:0:1:0:0:0:1', '2001:0:0:1::1', '1:2:3:4:5:6:7:8', 'fe80::1:0:0:0'])(
    'formats IPv6 %s as RFC 5952 text',
    (ip) => {
      const rec = flowRecord({ localIp: ip, family: 6 });
      const [out] = new RecordDecoder().push(encodeFlow(rec));
      expect(out).toMatchObject({ localIp: ipaddr.parse(ip).toString() });
    },
  );
});
