// The real cluster's host diff ignores what other kguardian runs on the same host make meanwhile
// (a kernel test's lab, the playground), and nothing of the cluster's own.
import { describe, expect, it } from 'vitest';
import { ownEntries } from '../cluster/testing/host-state.js';

describe('ownEntries', () => {
  it.each([
    ['a kernel lab bridge', 'kg207f3cbr'],
    ['a kernel lab veth', 'kg207f3ch10'],
    ['a kernel lab address', 'kg207f3cbr inet 10.250.153.1/24'],
    ['a kernel lab route', '10.250.153.0/24 dev kg207f3cbr proto kernel scope link src 10.250.153.1'],
    ['a kernel lab IPv6 route', 'fd00:4b47:0:99::/64 dev kg207f3cbr proto kernel metric 256 pref medium'],
    ['a kernel lab namespace', 'kg1a9ca9-client (id: 4)'],
    ['a kernel lab namespace mount', '/run/netns/kg1a9ca9-client nsfs'],
    ['a kernel lab cgroup', 'unified/kg207f3c-loss'],
    ['a kernel test DNAT rule', '-A OUTPUT -d 10.250.200.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.250.9.3:8081'],
    ['a playground bridge', 'kgp6ee5br'],
    ['a playground veth', 'kgp6ee5h4'],
    ['an end-to-end stack address', 'kgpa5f7br inet 10.253.220.1/24'],
    ['a playground interface sysctl', 'net.ipv4.conf.kgp6ee5br.forwarding = 1'],
  ])('leaves out %s', (_what, entry) => {
    expect(ownEntries([entry])).toEqual([]);
  });

  it.each([
    ['the cluster bridge', 'kgc0'],
    ['the node interface', 'kgc-node'],
    ['the bridge address', 'kgc0 inet 10.254.128.1/24'],
    ['a pod veth', 'veth3c1f9a2b'],
    ['a CNI namespace', 'cni-5f0c2d9e-6b7a-1c2d-3e4f-5a6b7c8d9e0f'],
    ['a kube-proxy rule', '-A KUBE-SERVICES -d 10.254.16.1/32 -p tcp -m comment --comment "default/kubernetes:https" -j KUBE-SVC-NPX46M4PTMTKRN6Y'],
    ['a kube-router ipset', 'KUBE-DST-DBGUQD3ZRBWLDLYN'],
    ['an IPv6 pod route', 'fd6b:6763:1::/64 dev kgc0 proto kernel metric 256 pref medium'],
    ['the cluster cgroup', 'unified/kgc'],
    ['a host address', 'eth0 inet 10.0.2.15/24'],
    ['a name that only starts like a lab', 'kgabc12'],
    ['an address near the labs', 'eth1 inet 10.25.0.1/24'],
  ])('keeps %s', (_what, entry) => {
    expect(ownEntries([entry])).toEqual([entry]);
  });
});
