import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { RecordDecoder, RecordFormatError } from './record-decoder.js';
import { countersRecord, encodeCounters, encodeFlow, flowRecord } from './testing/records.js';

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
    const recs = [flowRecord(), countersRecord({ ringbufDrops: 3 }), flowRecord({ localPort: 1 })];
    const bytes = Buffer.concat(recs.map((r) => (r.kind === 'counters' ? encodeCounters(r) : encodeFlow(r))));
    const decoder = new RecordDecoder();
    const out = [];
    for (let i = 0; i < bytes.length; i += 7) out.push(...decoder.push(bytes.subarray(i, i + 7)));
    expect(out).toEqual(recs);
    expect(decoder.buffered).toBe(0);
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
