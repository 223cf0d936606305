import { describe, expect, it } from 'vitest';
import { parseNetstat } from '../netns/tcp-counters.js';

const NETSTAT = [
  'TcpExt: SyncookiesSent SyncookiesRecv EmbryonicRsts ListenOverflows',
  'TcpExt: 0 0 3 1',
  'IpExt: InNoRoutes InTruncatedPkts',
  'IpExt: 0 0',
  '',
].join('\n');

describe('parseNetstat', () => {
  it('pairs each TcpExt counter name with its value', () => {
    const counters = parseNetstat(NETSTAT);
    expect(counters.get('EmbryonicRsts')).toBe(3);
    expect(counters.get('ListenOverflows')).toBe(1);
    expect(counters.has('InNoRoutes')).toBe(false);
  });

  it('reads another group when asked', () => {
    expect(parseNetstat(NETSTAT, 'IpExt').get('InTruncatedPkts')).toBe(0);
  });

  it('fails loudly when the group is missing', () => {
    expect(() => parseNetstat('IpExt: A\nIpExt: 1\n')).toThrow('/proc/net/netstat has no TcpExt pair of lines');
  });
});
