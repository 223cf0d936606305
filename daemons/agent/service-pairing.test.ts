import { describe, expect, it } from 'vitest';
import { ServicePairing } from './service-pairing.js';
import { flowRecord, natRecord } from './testing/records.js';

const CLIENT = { localIp: '10.250.0.2', localPort: 40000 };
const toService = flowRecord({ ...CLIENT, remoteIp: '10.96.0.10', remotePort: 80, direction: 'egress' });
const atBackend = flowRecord({ localIp: '10.250.0.3', localPort: 8080, remoteIp: '10.250.0.2', remotePort: 40000, direction: 'ingress' });

describe('ServicePairing', () => {
  it('rewrites a client record to the backend when the backend reports after it', () => {
    const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'] });
    expect(p.push(toService, 0)).toEqual([]);
    expect(p.push(atBackend, 5)).toEqual([atBackend, { ...toService, remoteIp: '10.250.0.3', remotePort: 8080 }]);
    expect(p.holding).toBe(0);
  });

  it('rewrites a client record when the backend reported first', () => {
    const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'] });
    expect(p.push(atBackend, 0)).toEqual([atBackend]);
    expect(p.push(toService, 1)).toEqual([{ ...toService, remoteIp: '10.250.0.3', remotePort: 8080 }]);
  });

  it('keeps the translation for later UDP count records of the same flow', () => {
    const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'], holdMs: 100 });
    const udp = { protocol: 'UDP', state: 'seen' } as const;
    p.push(flowRecord({ ...toService, ...udp, kind: 'udpNew', remotePort: 53 }), 0);
    p.push(flowRecord({ ...atBackend, ...udp, kind: 'udpNew', localPort: 5353 }), 1);
    p.expire(10_000);
    expect(p.push(flowRecord({ ...toService, ...udp, kind: 'udpCount', remotePort: 53 }), 10_000)).toMatchObject([
      { remoteIp: '10.250.0.3', remotePort: 5353, kind: 'udpCount' },
    ]);
  });

  it('releases an unpaired record unchanged after holdMs and counts it', () => {
    const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'], holdMs: 100 });
    p.push(toService, 0);
    expect(p.expire(99)).toEqual([]);
    expect(p.expire(100)).toEqual([toService]);
    expect(p.unpaired).toBe(1);
  });

  it('passes records to non-Service addresses straight through, v4 and v6', () => {
    const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12', 'fd00:96::/108'] });
    const v6 = flowRecord({ localIp: 'fd00:1::2', remoteIp: 'fd00:1::3' });
    expect(p.push(v6, 0)).toEqual([v6]);
    expect(p.isService('fd00:96::a')).toBe(true);
    expect(p.isService('10.250.0.3')).toBe(false);
  });

  it('drops a UDP flow that a Service address started: the un-DNAT-ed reply half', () => {
    const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'] });
    const reply = flowRecord({ ...CLIENT, protocol: 'UDP', state: 'seen', kind: 'udpNew', direction: 'ingress', remoteIp: '10.96.0.10', remotePort: 53 });
    expect(p.push(reply, 0)).toEqual([]);
    expect(p.serviceReplies).toBe(1);
  });

  describe('translations from conntrack (NAT records)', () => {
    // The backend is on another node: no inbound record ever arrives here.
    const nat = natRecord({ clientIp: CLIENT.localIp, clientPort: CLIENT.localPort, serviceIp: '10.96.0.10', servicePort: 80, backendIp: '10.250.9.3', backendPort: 8080 });
    const atRemoteBackend = { remoteIp: '10.250.9.3', remotePort: 8080 };

    it.each([
      { title: 'NAT first (the loader found it at once)', order: ['nat', 'flow'] as const, released: [[], [{ ...toService, ...atRemoteBackend }]] },
      { title: 'flow first (the loader retried)', order: ['flow', 'nat'] as const, released: [[], [{ ...toService, ...atRemoteBackend }]] },
    ])('rewrites the client record to the backend on another node: $title', ({ order, released }) => {
      const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'], holdMs: 100 });
      const out = order.map((what, i) => (what === 'nat' ? p.pushNat(nat, i) : p.push(toService, i)));
      expect(out).toEqual(released);
      expect(p.holding).toBe(0);
      expect(p.expire(10_000)).toEqual([]);
      expect(p.unpaired).toBe(0);
      expect(p.conntrack).toBe(1);
    });

    it.each([
      { title: 'another Service port', rec: { ...toService, remotePort: 443 } },
      { title: 'another Service address', rec: { ...toService, remoteIp: '10.96.0.11' } },
      { title: 'another protocol', rec: { ...toService, protocol: 'UDP', kind: 'udpNew', state: 'seen' } as const },
      { title: 'another client port', rec: { ...toService, localPort: 40001 } },
    ])('does not apply a translation to $title', ({ rec }) => {
      const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'], holdMs: 100 });
      expect(p.push(rec, 0)).toEqual([]);
      expect(p.pushNat(nat, 1)).toEqual([]);
      expect(p.holding).toBe(1);
      expect(p.expire(100)).toEqual([rec]);
      expect(p.unpaired).toBe(1);
    });

    it('releases only the held records of the translated Service when one socket sent to two', () => {
      const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'], holdMs: 100 });
      const udp = { protocol: 'UDP', state: 'seen', kind: 'udpNew' } as const;
      const dns = flowRecord({ ...toService, ...udp, remotePort: 53 });
      const other = flowRecord({ ...toService, ...udp, remoteIp: '10.96.0.11', remotePort: 53 });
      p.push(dns, 0);
      p.push(other, 0);
      expect(p.pushNat({ ...nat, protocol: 'UDP', servicePort: 53, backendPort: 5353 }, 1)).toEqual([{ ...dns, remoteIp: '10.250.9.3', remotePort: 5353 }]);
      expect(p.holding).toBe(1);
      expect(p.pushNat({ ...nat, protocol: 'UDP', serviceIp: '10.96.0.11', servicePort: 53, backendIp: '10.250.8.4', backendPort: 53 }, 2)).toEqual([
        { ...other, remoteIp: '10.250.8.4', remotePort: 53 },
      ]);
      expect(p.conntrack).toBe(2);
    });

    it('keeps the translation for later UDP count records, and counts a repeated NAT record once', () => {
      const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'], holdMs: 100, ttlMs: 60_000 });
      const udpNat = { ...nat, protocol: 'UDP', servicePort: 53, backendPort: 5353 } as const;
      const count = flowRecord({ ...toService, protocol: 'UDP', state: 'seen', kind: 'udpCount', remotePort: 53 });
      p.pushNat(udpNat, 0);
      expect(p.push(count, 1_000)).toEqual([{ ...count, remoteIp: '10.250.9.3', remotePort: 5353 }]);
      p.pushNat(udpNat, 1_000); // the loader looks every count record up again
      p.expire(50_000);
      expect(p.push(count, 50_000)).toEqual([{ ...count, remoteIp: '10.250.9.3', remotePort: 5353 }]);
      expect(p.conntrack).toBe(1);
      p.expire(200_000); // idle longer than ttlMs: forgotten
      expect(p.push(count, 200_000)).toEqual([]);
    });

    it('prefers conntrack over a same-node inbound record with the same client port', () => {
      const p = new ServicePairing({ serviceCidrs: ['10.96.0.0/12'] });
      p.pushNat(nat, 0);
      p.push(atBackend, 1); // a stale inbound record of the same client address and port
      expect(p.push(toService, 2)).toEqual([{ ...toService, ...atRemoteBackend }]);
    });

    it('IPv6', () => {
      const p = new ServicePairing({ serviceCidrs: ['fd00:10:96::/112'] });
      const v6 = flowRecord({ localIp: 'fd00:4b47:0:1::2', localPort: 40000, remoteIp: 'fd00:10:96::a', remotePort: 80 });
      p.push(v6, 0);
      expect(p.pushNat(natRecord({ clientIp: 'fd00:4b47:0:1::2', serviceIp: 'fd00:10:96::a', backendIp: 'fd00:4b47:0:2::3' }), 1)).toEqual([
        { ...v6, remoteIp: 'fd00:4b47:0:2::3', remotePort: 8080 },
      ]);
    });
  });
});
