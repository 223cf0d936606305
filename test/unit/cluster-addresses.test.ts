/**
 * The real cluster (scripts/cluster.sh) shares the host with the playground and with the stand-in
 * control plane that the integration tests and the playground start (scripts/controlplane.sh): its
 * address ranges must not meet theirs, and its components must listen where theirs never do. Each
 * value is read where the scripts and programs read it (scripts/lib/cluster.sh through bash, the
 * control plane's Go defaults, the playground's constant), so moving a range is checked here.
 */
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { PLAYGROUND_SUBNET } from '../../playground/netns.js';
import { REPO_ROOT } from '../../playground/paths.js';
import { CLUSTER_SCRIPT, clusterConfig } from '../cluster/testing/cluster-config.js';
import { SERVICE_CIDRS } from '../cluster/testing/kguardian.js';

const config = clusterConfig();
const read = (path: string): string => readFileSync(`${REPO_ROOT}${path}`, 'utf8');

function matchOf(text: string, pattern: RegExp, what: string): string {
  const m = pattern.exec(text)?.[1];
  if (m === undefined) throw new Error(`${what} not found (${String(pattern)})`);
  return m;
}

const NETWORK_GO = read('test/controlplane/network.go');
const CONTROLPLANE_SH = read('scripts/controlplane.sh');

/** The cluster's ranges: node addresses, pods, Services, each family. */
const CLUSTER: [string, string][] = [
  ['node IPv4', `${config.kgc_node_ip4 ?? ''}/32`],
  ['node IPv6', `${config.kgc_node_ip6 ?? ''}/128`],
  ['pods IPv4', config.kgc_pod_cidr4 ?? ''],
  ['pods IPv6', config.kgc_pod_cidr6 ?? ''],
  ['Services IPv4', config.kgc_service_cidr4 ?? ''],
  ['Services IPv6', config.kgc_service_cidr6 ?? ''],
];

/** What the others use. The stand-in control plane (integration tests and playground alike) allocates its Services from its default range and listens on its default host. */
const OTHERS: [string, string][] = [
  ['playground pods', `${PLAYGROUND_SUBNET}.0/24`],
  ['control plane Services', matchOf(NETWORK_GO, /const defaultServiceCIDR = "([^"]+)"/, 'the control plane\'s default Service range')],
  ['control plane listen address', `${matchOf(NETWORK_GO, /network\{host: "([^"]+)"\}/, 'the control plane\'s default host')}/32`],
];

function overlap(a: string, b: string): boolean {
  const [na, la] = ipaddr.parseCIDR(a);
  const [nb, lb] = ipaddr.parseCIDR(b);
  if (na.kind() !== nb.kind()) return false;
  return na.match(nb, lb) || nb.match(na, la);
}

describe('the real cluster\'s addresses beside the playground and the stand-in control plane', () => {
  it('reads every range from scripts/lib/cluster.sh as valid CIDRs, both families', () => {
    for (const [name, cidr] of [...CLUSTER, ...OTHERS]) expect(ipaddr.isValidCIDR(cidr), `${name}: ${cidr}`).toBe(true);
    expect(CLUSTER.map(([, c]) => ipaddr.parseCIDR(c)[0].kind())).toEqual(['ipv4', 'ipv6', 'ipv4', 'ipv6', 'ipv4', 'ipv6']);
  });

  it.each(CLUSTER.flatMap(([name, cidr]) => OTHERS.map(([other, range]) => ({ name, cidr, other, range }))))(
    'cluster $name ($cidr) does not overlap $other ($range)', ({ cidr, range }) => {
      expect(overlap(cidr, range)).toBe(false);
    });

  it('keeps its node, pod and Service ranges apart from each other, and this node\'s pod range, DNS address and the chart\'s Service ranges inside them', () => {
    for (const [i, [a, ca]] of CLUSTER.entries()) {
      for (const [b, cb] of CLUSTER.slice(i + 1)) expect(overlap(ca, cb), `${a} and ${b}`).toBe(false);
    }
    const within = (cidr: string, outer: string): boolean => overlap(cidr, outer) && ipaddr.parseCIDR(cidr)[1] >= ipaddr.parseCIDR(outer)[1];
    expect(within(config.kgc_node_pod_range4 ?? '', config.kgc_pod_cidr4 ?? '')).toBe(true);
    expect(within(config.kgc_node_pod_range6 ?? '', config.kgc_pod_cidr6 ?? '')).toBe(true);
    expect(within(`${config.kgc_dns_ip ?? ''}/32`, config.kgc_service_cidr4 ?? '')).toBe(true);
    // agent.serviceCIDRs of the cluster tests' install.
    expect(SERVICE_CIDRS).toEqual([config.kgc_service_cidr4, config.kgc_service_cidr6]);
  });

  it('listens on its node address with fixed ports, where the control plane and the playground listen on loopback with ports the kernel picks', () => {
    const script = readFileSync(CLUSTER_SCRIPT, 'utf8');
    // The kubelet's and kube-proxy's listeners, in the configuration files up writes.
    const binds = [...script.matchAll(/^\s*(address|healthzBindAddress|metricsBindAddress): (\S+)$/gm)].map((m) => `${m[1] ?? ''}: ${m[2] ?? ''}`);
    expect(binds).toEqual(['address: $kgc_node_ip4', 'healthzBindAddress: $kgc_node_ip4', 'healthzBindAddress: $kgc_node_ip4:10256', 'metricsBindAddress: $kgc_node_ip4:10249']);
    // The API server binds the first --node-ip (IPv4, the node's) on kgc_api_port.
    expect(script).toMatch(/--port "\$kgc_api_port" [^\n]*\\\n\s*--node-ip "\$kgc_node_ip4,\$kgc_node_ip6"/);
    expect(NETWORK_GO).toMatch(/n\.host = n\.nodeIPs\[0\]\.String\(\)/);
    // Whatever else would listen on a fixed port is off (0), or on loopback at a port the kernel picks.
    const enforcer = read('scripts/lib/enforcer.sh');
    const ports = [...`${script}\n${enforcer}`.matchAll(/--(secure-port|health-port|metrics-port) (\S+)/g)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`);
    expect(ports).toEqual(['secure-port 0', 'secure-port 0', 'health-port 0', 'metrics-port 0']);
    expect(script).toMatch(/stream_server_address = "127\.0\.0\.1"\n\s*stream_server_port = "0"/);
    // The stand-in control plane's default: port 0 (the kernel picks), on its default host, loopback.
    expect(matchOf(CONTROLPLANE_SH, /^port=(\S+)$/m, 'controlplane.sh\'s default port')).toBe('0');
    expect(ipaddr.parse(OTHERS[2]?.[1].replace(/\/32$/, '') ?? '').range()).toBe('loopback');
    expect(ipaddr.parse(config.kgc_node_ip4 ?? '').range()).not.toBe('loopback');
  });
});
