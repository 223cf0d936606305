import { describe, expect, it } from 'vitest';
import { ServicePairing } from './service-pairing.js';
import { flowRecord } from './testing/records.js';

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
});
