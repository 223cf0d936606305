import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostAddresses } from './host-addresses.js';
import { PodIdentityIndex } from './pod-identity.js';

function info(address: string, internal = false): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  return v6
    ? { address, internal, family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', cidr: null, scopeid: 0 }
    : { address, internal, family: 'IPv4', netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null };
}

describe('hostAddresses', () => {
  it.each([
    ['the node address and a CNI bridge gateway, both families', { eth0: [info('10.254.0.1'), info('fd6b:6763::1')], kgc0: [info('10.254.128.1'), info('fd6b:6763:1::1')] }, ['10.254.0.1', 'fd6b:6763::1', '10.254.128.1', 'fd6b:6763:1::1']],
    ['no loopback', { lo: [info('127.0.0.1', true), info('::1', true)], eth0: [info('192.0.2.4')] }, ['192.0.2.4']],
    ['no IPv6 link-local', { eth0: [info('fe80::1'), info('FEBF::2'), info('2001:db8::4')] }, ['2001:db8::4']],
    ['an address on two interfaces once', { a: [info('192.0.2.4')], b: [info('192.0.2.4')] }, ['192.0.2.4']],
    ['none', {}, []],
  ])('%s', (_name, interfaces, want) => {
    expect(hostAddresses(interfaces)).toEqual(want);
  });

  it('makes a probe from the bridge gateway a node peer, not an external one', () => {
    const index = new PodIdentityIndex(['10.254.0.1']);
    expect(index.resolve('10.254.128.1')).toEqual({ kind: 'external' });
    for (const ip of hostAddresses({ kgc0: [info('10.254.128.1')] })) index.addNodeIp(ip);
    expect(index.resolve('10.254.128.1')).toEqual({ kind: 'node' });
  });
});
