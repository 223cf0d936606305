// Service DNAT on a real kernel: an iptables DNAT rule sends a virtual ClusterIP to a backend
// pod, as kube-proxy does; the agent's pipeline (pairing, aggregation, identity) must report the
// backend pod and port really reached, and never the ClusterIP. The rule sits in the client's
// own namespace (kube-proxy's OUTPUT chain, as for hostNetwork clients): the client socket still
// names the ClusterIP, which is exactly what pairing must see through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowPipeline } from '../../daemons/agent/flow-pipeline.js';
import { PodIdentityIndex } from '../../daemons/agent/pod-identity.js';
import { Capture } from './capture.js';
import { NetnsLab, type LabPod } from './lab.js';
import { requireRoot } from './require-root.js';

requireRoot('Service DNAT tests');

let lab: NetnsLab;
let capture: Capture;
let client: LabPod;
let backend: LabPod;
let clusterIp: string;

beforeAll(async () => {
  lab = await NetnsLab.create();
  client = await lab.addPod('client');
  backend = await lab.addPod('backend');
  clusterIp = `10.251.${lab.subnet}.10`;
  for (const [proto, port, target] of [['tcp', '80', 8080], ['udp', '53', 5353]] as const) {
    await lab.exec(client, 'iptables', ['-t', 'nat', '-A', 'OUTPUT', '-d', clusterIp, '-p', proto, '--dport', port, '-j', 'DNAT', '--to-destination', `${backend.ipv4}:${target}`]);
  }
  capture = new Capture(['--flush-ms', '200']);
  await capture.ready();
  await lab.serve(backend, ['tcp-server', 8080]);
  await lab.serve(backend, ['udp-server', 5353]);
});

afterAll(async () => {
  await capture?.stop();
  await lab?.destroy();
});

describe('Service ClusterIP behind DNAT', () => {
  it('attributes TCP and UDP to the backend pod and port really reached', async () => {
    const tcp = await lab.traffic<{ results: { outcome: string }[] }>(client, ['tcp-connect', clusterIp, 80, 3]);
    expect(tcp.results.map((r) => r.outcome)).toEqual(['established', 'established', 'established']);
    const udp = await lab.traffic<{ sent: number; replies: number }>(client, ['udp-send', clusterIp, 53, 2, 'wait']);
    expect(udp).toMatchObject({ sent: 2, replies: 2 });
    const mine = (): typeof capture.flows =>
      capture.flows.filter((r) => lab.owns(r.localIp) && (lab.owns(r.remoteIp) || r.remoteIp === clusterIp));
    await capture.waitFor('TCP and UDP records at both ends', () => mine().filter((r) => r.protocol === 'TCP').length >= 6);
    await capture.nextSweeps();

    const identity = new PodIdentityIndex();
    for (const pod of [client, backend]) {
      identity.upsertPod({ namespace: 'lab', name: pod.name, uid: `uid-${pod.name}`, hostNetwork: false, ips: [pod.ipv4, pod.ipv6] });
    }
    const pipeline = new FlowPipeline({ node: 'lab-node', identity, bucketMs: 60_000, serviceCidrs: [`10.251.${lab.subnet}.0/24`] });
    pipeline.push(mine(), Date.now());
    const observations = pipeline.flush(Date.now(), true);

    const summary = observations
      .map((o) => `${o.protocol} ${o.direction} ${o.src.pod ?? o.src.ip}->${o.dst.pod ?? o.dst.ip}:${o.dst.port} ${o.state} x${o.count}`)
      .sort();
    expect(summary).toEqual([
      'TCP Egress client->backend:8080 established x3',
      'TCP Ingress client->backend:8080 established x3',
      // The client's kernel flow sees its 2 requests after DNAT (to the backend); the 2 replies
      // arrive un-DNAT-ed, from the ClusterIP, as a separate flow that pairing drops. Both
      // requests go out of one socket, so at each end they are one conversation in the bucket.
      'UDP Egress client->backend:5353 seen x1',
      'UDP Ingress client->backend:5353 seen x1', // 2 requests + 2 replies at the backend, one flow
    ]);
    expect(JSON.stringify(observations)).not.toContain(clusterIp);
    expect(pipeline.pairing.unpaired).toBe(0);
    expect(pipeline.pairing.serviceReplies).toBeGreaterThan(0); // records of the reply half: its "new" and its counts
  });
});
