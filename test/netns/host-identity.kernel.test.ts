// Host-network ends on the real kernel: a process in the host's network namespace (what a
// hostNetwork pod or a node daemon is) connects to a netns pod, and the agent's pipeline, fed
// with what kg-loader reported, must stamp that end as pod-identity.ts intends: at the host's own
// socket (egress) kind `host`, known by the socket's network namespace; at the pod's socket
// (ingress) kind `node`, known only by the node's address, which a hostNetwork pod shares.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowObservation } from '../../daemons/agent/flow-observation.js';
import { FlowPipeline } from '../../daemons/agent/flow-pipeline.js';
import { hostNetnsInode } from '../../daemons/agent/host-netns.js';
import { PodIdentityIndex } from '../../daemons/agent/pod-identity.js';
import { Capture } from './capture.js';
import { NetnsLab, type LabPod } from './lab.js';
import { REPO_ROOT } from './paths.js';
import { requireRoot } from './require-root.js';

requireRoot('host-network identity kernel tests');

const run = promisify(execFile);
// As main.ts learns it: the agent runs in the host's network namespace, as this test does.
const HOST_NETNS = hostNetnsInode();

let lab: NetnsLab;
let capture: Capture;
let server: LabPod;

beforeAll(async () => {
  lab = await NetnsLab.create();
  server = await lab.addPod('server');
  capture = new Capture(['--flush-ms', '200', '--no-udp']);
  await capture.ready();
  await lab.serve(server, ['tcp-server', 8080]);
});

afterAll(async () => {
  await capture?.stop();
  await lab?.destroy();
});

/** test/netns/traffic.ts run in the host's network namespace (no `ip netns exec`). */
async function fromHost<T>(args: readonly (string | number)[]): Promise<T> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `${REPO_ROOT}test/netns/traffic.ts`, ...args.map(String)], { cwd: REPO_ROOT });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** The agent's identity index as main.ts builds it: node addresses, the host's netns, the pods. */
function identity(nodeIps: string[]): PodIdentityIndex {
  const index = new PodIdentityIndex(nodeIps, HOST_NETNS);
  index.upsertPod({ namespace: 'shop', name: 'server', uid: 'uid-server', hostNetwork: false, ips: [server.ipv4, server.ipv6] });
  // A hostNetwork pod lists the node's addresses as its own; they stay the node's.
  index.upsertPod({ namespace: 'monitoring', name: 'exporter', uid: 'uid-exporter', hostNetwork: true, ips: nodeIps });
  return index;
}

describe.each([
  { family: 'IPv4', addr: (p: LabPod): string => p.ipv4, node: (): string => lab.gateway4 },
  { family: 'IPv6', addr: (p: LabPod): string => p.ipv6, node: (): string => lab.gateway6 },
])('a host-network client connecting to a pod ($family)', ({ addr, node }) => {
  it('is `host` at its own socket and `node` at the pod\'s', async () => {
    const since = capture.flows.length;
    const { results } = await fromHost<{ results: { outcome: string; localPort: number }[] }>(['tcp-connect', addr(server), 8080, 1]);
    expect(results.map((r) => r.outcome)).toEqual(['established']);
    const port = results[0]!.localPort;
    // Both ends in the lab as well as the port: the host's other sockets may hold the same port
    // number (a port is unique per destination, not per host), and kg-loader sees them all.
    const mine = (): typeof capture.flows =>
      capture.flows.slice(since).filter((r) => r.protocol === 'TCP' && (r.localPort === port || r.remotePort === port) && lab.owns(r.localIp) && lab.owns(r.remoteIp));
    await capture.waitFor('both ends of the connection', () => mine().length >= 2);
    await capture.nextSweeps();
    expect(mine().find((r) => r.direction === 'egress')?.netns).toBe(HOST_NETNS);

    const pipeline = new FlowPipeline({ node: 'lab-node', identity: identity([node()]), bucketMs: 10_000, serviceCidrs: [] });
    pipeline.push(mine(), Date.now());
    const seen = pipeline.flush(Date.now(), true).map((o: FlowObservation) => ({ direction: o.direction, state: o.state, src: o.src, dst: o.dst }));
    const serverEnd = { ip: addr(server), port: 8080, kind: 'pod', namespace: 'shop', pod: 'server', podUid: 'uid-server' };
    expect(seen.sort((a, b) => a.direction.localeCompare(b.direction))).toEqual([
      { direction: 'Egress', state: 'established', src: { ip: node(), port, kind: 'host' }, dst: serverEnd },
      { direction: 'Ingress', state: 'established', src: { ip: node(), port, kind: 'node' }, dst: serverEnd },
    ]);
  });
});
