// Service traffic across nodes on a real kernel: the client and the backend are on two "nodes"
// (two labs, each a bridge in the root namespace, routed through it), and the ClusterIP is DNAT-ed
// in the ROOT namespace's PREROUTING, as kube-proxy does for pod clients on the client's node.
// The pipeline gets ONLY the records whose local end is the client, which is all the client
// node's agent would see: the backend's inbound record never reaches it, so same-node pairing
// cannot help, and the backend must come from kg-loader's conntrack lookups (KG_REC_NAT).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowPipeline } from '../../daemons/agent/flow-pipeline.js';
import { AgentMetrics } from '../../daemons/agent/metrics.js';
import { PodIdentityIndex } from '../../daemons/agent/pod-identity.js';
import { isFlow, type LoaderRecord } from '../../daemons/agent/record-decoder.js';
import { Capture } from './capture.js';
import { NetnsLab, type LabPod } from './lab.js';
import { KG_LOADER } from './paths.js';
import { requireRoot } from './require-root.js';
import { run } from './run.js';

requireRoot('Service conntrack tests');

let clientNode: NetnsLab;
let backendNode: NetnsLab;
let capture: Capture;
let client: LabPod;
let backend: LabPod;
let ipv6 = false;
const clusterIps = { 4: '', 6: '' };
const serviceCidrs: string[] = [];

/** ip6tables' nat table and per-interface IPv6 forwarding (force_forwarding, Linux 6.17+): without
 * either, the IPv6 case cannot be built here without turning on forwarding for the whole host. */
async function ipv6NatWorks(bridges: readonly string[]): Promise<boolean> {
  if (!bridges.every((b) => existsSync(`/proc/sys/net/ipv6/conf/${b}/force_forwarding`))) return false;
  return run('ip6tables', ['-t', 'nat', '-S', 'PREROUTING']).then(() => true, () => false);
}

async function dnat(cmd: 'iptables' | 'ip6tables', service: string, proto: 'tcp' | 'udp', port: number, target: string): Promise<void> {
  const rule = ['PREROUTING', '-d', service, '-p', proto, '--dport', String(port), '-j', 'DNAT', '--to-destination', target];
  await run(cmd, ['-t', 'nat', '-A', ...rule]);
  clientNode.onDestroy(() => run(cmd, ['-t', 'nat', '-D', ...rule]).then(() => undefined));
}

beforeAll(async () => {
  clientNode = await NetnsLab.create();
  backendNode = await NetnsLab.create();
  while (backendNode.subnet === clientNode.subnet) {
    await backendNode.destroy();
    backendNode = await NetnsLab.create();
  }
  client = await clientNode.addPod('client');
  backend = await backendNode.addPod('backend');
  // Route between the two nodes through the root namespace: forwarding on these two bridges only.
  for (const bridge of [clientNode.bridge, backendNode.bridge]) await run('sysctl', ['-qw', `net.ipv4.conf.${bridge}.forwarding=1`]);
  ipv6 = await ipv6NatWorks([clientNode.bridge, backendNode.bridge]);
  if (ipv6) for (const bridge of [clientNode.bridge, backendNode.bridge]) await run('sysctl', ['-qw', `net.ipv6.conf.${bridge}.force_forwarding=1`]);
  else process.stderr.write('service-conntrack: IPv6 case not run: no ip6tables nat table or no per-interface IPv6 forwarding here\n');

  const hex = clientNode.subnet.toString(16);
  clusterIps[4] = `10.251.${clientNode.subnet}.10`;
  clusterIps[6] = `fd00:4b48:0:${hex}::a`;
  serviceCidrs.push(`10.251.${clientNode.subnet}.0/24`, `fd00:4b48:0:${hex}::/112`);
  await dnat('iptables', clusterIps[4], 'tcp', 80, `${backend.ipv4}:8080`);
  await dnat('iptables', clusterIps[4], 'udp', 53, `${backend.ipv4}:5353`);
  if (ipv6) {
    await dnat('ip6tables', clusterIps[6], 'tcp', 80, `[${backend.ipv6}]:8080`);
    await dnat('ip6tables', clusterIps[6], 'udp', 53, `[${backend.ipv6}]:5353`);
  }
  capture = new Capture(['--flush-ms', '200', ...serviceCidrs.flatMap((c) => ['--service-cidr', c])]);
  await capture.ready();
  await backendNode.serve(backend, ['tcp-server', 8080]);
  await backendNode.serve(backend, ['udp-server', 5353]);
});

afterAll(async () => {
  await capture?.stop();
  await backendNode?.destroy();
  await clientNode?.destroy();
});

/** What the client node's agent sees: records whose local end is the client, in loader order. */
function clientSide(clientIp: string): LoaderRecord[] {
  return capture.records.filter((r) => (isFlow(r) ? r.localIp === clientIp : r.kind === 'nat' ? r.clientIp === clientIp : true));
}

describe('Service ClusterIP with the backend on another node (conntrack)', () => {
  it.each([4, 6] as const)('attributes TCP and UDP to the backend pod and port really reached, IPv%i', async (family) => {
    if (family === 6 && !ipv6) return; // said on stderr in beforeAll
    const [clientIp, backendIp, clusterIp] = family === 4 ? [client.ipv4, backend.ipv4, clusterIps[4]] : [client.ipv6, backend.ipv6, clusterIps[6]];
    const tcp = await clientNode.traffic<{ results: { outcome: string; localPort: number }[] }>(client, ['tcp-connect', clusterIp, 80, 3]);
    expect(tcp.results.map((r) => r.outcome)).toEqual(['established', 'established', 'established']);
    const udp = await clientNode.traffic<{ localPort: number; sent: number; replies: number }>(client, ['udp-send', clusterIp, 53, 2, 'wait']);
    expect(udp).toMatchObject({ sent: 2, replies: 2 });

    const flows = (): typeof capture.flows => capture.flows.filter((r) => r.localIp === clientIp);
    const nats = (): typeof capture.nats => capture.nats.filter((n) => n.clientIp === clientIp);
    await capture.waitFor('the client\'s TCP records and their NAT records', () => flows().filter((r) => r.protocol === 'TCP').length >= 3 && nats().length >= 4);
    await capture.nextSweeps();

    // conntrack named the backend for each connection, before the flow record when found at once
    // (TCP: the entry exists by the SYN-ACK that completes the connect).
    expect(new Set(nats().map((n) => `${n.protocol} ${n.clientPort} ${n.serviceIp}:${n.servicePort} -> ${n.backendIp}:${n.backendPort}`))).toEqual(
      new Set([
        ...tcp.results.map((r) => `TCP ${r.localPort} ${clusterIp}:80 -> ${backendIp}:8080`),
        `UDP ${udp.localPort} ${clusterIp}:53 -> ${backendIp}:5353`,
      ]),
    );
    for (const { localPort } of tcp.results) {
      const at = capture.records.findIndex((r) => isFlow(r) && r.protocol === 'TCP' && r.localIp === clientIp && r.localPort === localPort);
      const natAt = capture.records.findIndex((r) => r.kind === 'nat' && r.protocol === 'TCP' && r.clientIp === clientIp && r.clientPort === localPort);
      expect(natAt).toBeGreaterThanOrEqual(0);
      expect(natAt).toBeLessThan(at);
    }

    const identity = new PodIdentityIndex(); // the client's node knows its own pods only
    identity.upsertPod({ namespace: 'lab', name: client.name, uid: `uid-${client.name}`, hostNetwork: false, ips: [client.ipv4, client.ipv6] });
    const pipeline = new FlowPipeline({ node: 'client-node', identity, bucketMs: 60_000, serviceCidrs });
    pipeline.push(clientSide(clientIp), Date.now());
    const observations = pipeline.flush(Date.now(), true);
    const names = new Map([[backendIp, 'backend'], [clientIp, 'client']]);
    const summary = observations
      .map((o) => `${o.protocol} ${o.direction} ${o.src.pod ?? o.src.ip}->${names.get(o.dst.ip) ?? o.dst.ip}:${o.dst.port} ${o.state} x${o.count}`)
      .sort();
    expect(summary).toEqual([
      'TCP Egress client->backend:8080 established x3',
      // One flow of the client's socket: 2 requests out, 2 replies in (un-DNAT-ed on the way
      // back), one conversation in the bucket.
      'UDP Egress client->backend:5353 seen x1',
    ]);
    expect(JSON.stringify(observations)).not.toContain(clusterIp);
    expect(pipeline.pairing.unpaired).toBe(0);
    expect(pipeline.pairing.conntrack).toBe(4); // 3 TCP connections + 1 UDP flow

    // The loader's lookups: every record to the Service translated, none given up.
    const ct = pipeline.conntrack!;
    expect(ct).toMatchObject({ available: true, misses: 0, errors: 0, pending: 0 });
    expect(ct.hits).toBe(ct.lookups);
    const metrics = new AgentMetrics(() => undefined);
    metrics.onPairing(pipeline.pairing);
    metrics.onConntrack(ct);
    const text = await metrics.registry.metrics();
    expect(text).toContain('kguardian_agent_service_conntrack_total 4\n');
    expect(text).toContain('kguardian_agent_service_conntrack_misses_total 0\n');
    expect(text).toContain('kguardian_agent_service_unpaired_total 0\n');
    expect(text).toContain('kguardian_agent_service_conntrack_available 1\n');
  });
});

/** Drops the client's UDP to the ClusterIP in the root namespace's raw table, before conntrack
 * sees it (only the first packet when `firstOnly`); returns the removal. */
async function dropBeforeConntrack(firstOnly: boolean): Promise<() => Promise<void>> {
  const rule = ['PREROUTING', '-s', client.ipv4, '-d', clusterIps[4], '-p', 'udp', '--dport', '53',
    ...(firstOnly ? ['-m', 'statistic', '--mode', 'nth', '--every', '1000000', '--packet', '0'] : []), '-j', 'DROP'];
  await run('iptables', ['-t', 'raw', '-A', ...rule]);
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    await run('iptables', ['-t', 'raw', '-D', ...rule]);
  };
  clientNode.onDestroy(remove);
  return remove;
}

describe('conntrack lookups that miss at first', () => {
  it('retries while the packet has not reached the host, and the held record is released rewritten when the NAT record comes', async () => {
    // The first datagram never reaches conntrack; the second, 200 ms later on the same socket,
    // creates the entry, which one of the loader's retries (every 20 ms for 300 ms) finds.
    const remove = await dropBeforeConntrack(true);
    const before = capture.conntrack.at(-1)!;
    try {
      const udp = await clientNode.traffic<{ localPort: number; sent: number }>(client, ['udp-send', clusterIps[4], 53, 2, 'nowait', 200]);
      expect(udp.sent).toBe(2);
      const mine = (r: LoaderRecord): boolean =>
        (isFlow(r) && r.localIp === client.ipv4 && r.localPort === udp.localPort) || (r.kind === 'nat' && r.clientIp === client.ipv4 && r.clientPort === udp.localPort);
      await capture.waitFor('the NAT record of the retried lookup', () => capture.nats.some(mine));
      await capture.nextSweeps();
      const records = capture.records.filter(mine);
      expect(records.findIndex((r) => r.kind === 'udpNew')).toBeLessThan(records.findIndex((r) => r.kind === 'nat'));

      const pipeline = new FlowPipeline({ node: 'client-node', identity: new PodIdentityIndex(), bucketMs: 60_000, serviceCidrs });
      let now = Date.now();
      for (const r of records) pipeline.push([r], (now += 10)); // one at a time, as they arrived
      const observations = pipeline.flush(now, true);
      expect(observations.map((o) => `${o.protocol} ${o.direction} ${o.dst.ip}:${o.dst.port}`)).toEqual([`UDP Egress ${backend.ipv4}:5353`]);
      expect(pipeline.pairing.unpaired).toBe(0);
      const after = capture.conntrack.at(-1)!;
      expect(after.misses - before.misses).toBe(0);
      expect(after.hits - before.hits).toBeGreaterThanOrEqual(1);
    } finally {
      await remove();
    }
  });

  it('gives up after the retry window, counts the miss, and the record keeps the Service address (unpaired)', async () => {
    const remove = await dropBeforeConntrack(false);
    const before = capture.conntrack.at(-1)!;
    try {
      const udp = await clientNode.traffic<{ localPort: number; sent: number }>(client, ['udp-send', clusterIps[4], 53, 1, 'nowait']);
      expect(udp.sent).toBe(1);
      const grew = (): { lookups: number; misses: number; hits: number; pending: number } => {
        const now = capture.conntrack.at(-1)!;
        return { lookups: now.lookups - before.lookups, misses: now.misses - before.misses, hits: now.hits - before.hits, pending: now.pending };
      };
      await capture.waitFor('the lookups given up', () => grew().lookups >= 1 && grew().misses === grew().lookups && grew().pending === 0);
      expect(grew().hits).toBe(0);
      expect(capture.nats.filter((n) => n.clientIp === client.ipv4 && n.clientPort === udp.localPort)).toEqual([]);

      const pipeline = new FlowPipeline({ node: 'client-node', identity: new PodIdentityIndex(), bucketMs: 60_000, serviceCidrs, holdMs: 100 });
      pipeline.push(capture.flows.filter((r) => r.localIp === client.ipv4 && r.localPort === udp.localPort), Date.now());
      const observations = pipeline.flush(Date.now() + 1000, true);
      expect(observations.map((o) => `${o.protocol} ${o.direction} ${o.dst.ip}:${o.dst.port}`)).toEqual([`UDP Egress ${clusterIps[4]}:53`]);
      expect(pipeline.pairing.unpaired).toBeGreaterThanOrEqual(1);
    } finally {
      await remove();
    }
  });
});

describe('kg-loader without ctnetlink', () => {
  it('starts, says lookups are off in one line, and counts connections to Services as misses', async () => {
    // CAP_SYS_ADMIN covers the BPF checks; ctnetlink wants CAP_NET_ADMIN, so it answers EPERM.
    const loader = new Capture(['--no-udp', '--flush-ms', '200', '--service-cidr', serviceCidrs[0]!], ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin', '--']);
    try {
      await loader.ready();
      expect(loader.stderr.filter((l) => l.includes('conntrack'))).toEqual([
        'kg-loader: conntrack lookups off: ctnetlink unavailable (Operation not permitted); connections to Services are attributed only by pairing with a backend on this node',
      ]);
      const tcp = await clientNode.traffic<{ results: { outcome: string }[] }>(client, ['tcp-connect', clusterIps[4], 80, 1]);
      expect(tcp.results.map((r) => r.outcome)).toEqual(['established']);
      await loader.waitFor('the miss counted', () => (loader.conntrack.at(-1)?.misses ?? 0) >= 1);
      expect(loader.conntrack.at(-1)).toMatchObject({ available: false, lookups: 1, hits: 0, misses: 1 });
      expect(loader.nats).toEqual([]);
    } finally {
      await loader.stop();
    }
  });
});

describe('kg-loader --service-cidr', () => {
  it.each(['10.96.0.0', '10.96.0.0/33', 'fd00::/129', '10.96.0.0/', '10.96.0.0/1x', 'ten/8', '/12', '10.96.0.0/-1'])('refuses "%s" with exit code 2', async (cidr) => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(KG_LOADER, ['--service-cidr', cidr], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => {
        resolve({ code: c, stderr: err });
      });
    });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `kg-loader: failed to parse options: --service-cidr must be an IPv4 or IPv6 CIDR such as 10.96.0.0/12 or fd00:10:96::/112, not "${cidr}"\n`,
    );
  });
});
