// End to end on the real kernel: the real agent process (kg-loader, Pod informer against a real
// API server, pipeline, shipper) watching netns "pods" whose Pod objects carry their lab addresses,
// shipping to the real broker over PostgreSQL. Real TCP and UDP traffic between the pods must
// arrive in the flows table with both pods' names and uids, the true direction at each end, the
// right ports and states; a connection to a Service ClusterIP (DNAT, as kube-proxy does) arrives as
// the backend pod and port really reached.
//
// kg-loader sees every socket on the host, not only the lab's, so the agent ships whatever else
// the machine is doing too: a cluster's pods, another test's servers, mDNS on 5353. Every query
// here is kept to flows with both ends in the lab: matched on a port alone, a busy host's own
// connections to port 8080 joined the lab's rows and the counts never settled.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, freePort, startBroker, startPostgres, type Broker, type Postgres } from '../../daemons/broker/testing/broker-process.js';
import { createTestNamespace } from '../kube/namespace.js';
import { AgentProcess } from './agent-process.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { NetnsLab, type LabPod } from './lab.js';
import { LAB_NODE, registerLabPods } from './lab-pods.js';
import { requireRoot } from './require-root.js';

requireRoot('agent-to-broker kernel tests');

interface FlowRow {
  src_pod: string;
  src_pod_uid: string;
  dst_pod: string;
  dst_pod_uid: string;
  src_namespace: string;
  dst_namespace: string;
  protocol: string;
  direction: string;
  state: string;
  dst_port: number;
  count: string;
  node: string;
}

let postgres: Postgres | undefined;
let broker: Broker | undefined;
let cp: ControlPlane | undefined;
let lab: NetnsLab | undefined;
let agent: AgentProcess | undefined;
let sql: pg.Client | undefined;
let ns: string;
let client: LabPod;
let server: LabPod;
let uids = new Map<string, string>();
let clusterIp: string;

beforeAll(async () => {
  postgres = startPostgres();
  const dbUrl = await createDatabase(postgres.url, 'agent_e2e');
  broker = await startBroker({ DATABASE_URL: dbUrl });
  sql = new pg.Client({ connectionString: dbUrl });
  await sql.connect();
  cp = await startControlPlane();
  const kc = cp.kubeConfig();
  ns = await createTestNamespace(kc, 'kg-e2e');
  lab = await NetnsLab.create();
  client = await lab.addPod('client');
  server = await lab.addPod('server');
  uids = await registerLabPods(kc, ns, [client, server]);
  await lab.serve(server, ['tcp-server', 8080]);
  await lab.serve(server, ['tcp-server', 8081]);
  await lab.serve(server, ['udp-server', 5353]);
  // A Service: ClusterIP:80 -> server:8081, DNAT in the client's namespace (kube-proxy's OUTPUT chain).
  const serviceCidr = `10.251.${lab.subnet}.0/24`;
  clusterIp = `10.251.${lab.subnet}.10`;
  await lab.exec(client, 'iptables', ['-t', 'nat', '-A', 'OUTPUT', '-d', clusterIp, '-p', 'tcp', '--dport', '80', '-j', 'DNAT', '--to-destination', `${server.ipv4}:8081`]);
  agent = await AgentProcess.start({
    node: LAB_NODE,
    brokerUrl: broker.url,
    metricsPort: freePort(),
    kubeconfig: cp.kubeconfig,
    env: { KG_SERVICE_CIDRS: serviceCidr },
  });
  await agent.waitFor('the informer to know both pods', async () => ((await agent!.metric('kguardian_agent_pods_known')) ?? 0) >= 2);
});

afterAll(async () => {
  const code = await agent?.stop();
  if (code !== 0 && agent) console.error(agent.log());
  await sql?.end();
  await lab?.destroy();
  await broker?.kill('SIGKILL');
  postgres?.stop();
  await cp?.stop();
});

/** The lab's flows matching `where` (its parameters in `params`), one row per distinct flow. */
async function rows(where: string, params: unknown[]): Promise<FlowRow[]> {
  const labCidrs = `$${params.length + 1}::cidr[]`;
  const r = await sql!.query<FlowRow>(
    `SELECT src_pod, src_pod_uid, dst_pod, dst_pod_uid, src_namespace, dst_namespace, protocol, direction, state, dst_port, sum(count)::text AS count, node
       FROM flows WHERE (${where}) AND src_ip <<= ANY(${labCidrs}) AND dst_ip <<= ANY(${labCidrs})
      GROUP BY src_pod, src_pod_uid, dst_pod, dst_pod_uid, src_namespace, dst_namespace, protocol, direction, state, dst_port, node
      ORDER BY protocol, direction, state, dst_port`,
    [...params, lab!.cidrs],
  );
  return r.rows;
}

/** Waits until the broker holds `n` distinct flows matching, then returns them. */
async function arrived(what: string, n: number, where: string, params: unknown[]): Promise<FlowRow[]> {
  let found: FlowRow[] = [];
  await agent!.waitFor(what, async () => (found = await rows(where, params)).length >= n, 30_000);
  return found;
}

const pod = (name: string): Pick<FlowRow, 'src_pod' | 'src_pod_uid'> => ({ src_pod: name, src_pod_uid: uids.get(name) ?? '?' });

describe('agent to broker, end to end', () => {
  it('stores TCP connections at both ends with both pods\' identity and the true direction', async () => {
    const { results } = await lab!.traffic<{ results: { outcome: string }[] }>(client, ['tcp-connect', server.ipv4, 8080, 3]);
    expect(results.every((r) => r.outcome === 'established')).toBe(true);
    await arrived('both ends of the TCP flow', 2, "protocol = 'TCP' AND dst_port = 8080", []);
    const common = { ...pod('client'), dst_pod: 'server', dst_pod_uid: uids.get('server'), src_namespace: ns, dst_namespace: ns, protocol: 'TCP', state: 'established', dst_port: 8080, node: LAB_NODE };
    // Each end reports once per connection: the client's socket as Egress, the server's as Ingress.
    await agent!.waitFor('all three connections counted', async () => (await rows("protocol = 'TCP' AND dst_port = 8080", [])).every((r) => r.count === '3'));
    expect(await rows("protocol = 'TCP' AND dst_port = 8080", [])).toEqual([
      { ...common, direction: 'Egress', count: '3' },
      { ...common, direction: 'Ingress', count: '3' },
    ]);
  });

  it('stores a connection refused by a closed port as such, at both ends', async () => {
    const { results } = await lab!.traffic<{ results: { outcome: string }[] }>(client, ['tcp-connect', server.ipv6, 9, 1]);
    expect(results[0]?.outcome).toBe('refused');
    // The client's socket reports it Egress; the server, which has no socket for port 9, Ingress
    // (from the reset the kernel sent, tcp:tcp_send_reset).
    const refused = { ...pod('client'), dst_pod: 'server', state: 'refused', count: '1' };
    expect(await arrived('the refused attempt at both ends', 2, "protocol = 'TCP' AND dst_port = 9", [])).toMatchObject([
      { ...refused, direction: 'Egress' },
      { ...refused, direction: 'Ingress' },
    ]);
  });

  it('stores UDP both ways, the inbound side at the server included', async () => {
    const r = await lab!.traffic<{ sent: number; replies: number }>(client, ['udp-send', server.ipv4, 5353, 4, 'wait']);
    expect(r.replies).toBe(4);
    const got = await arrived('both ends of the UDP flow', 2, "protocol = 'UDP' AND dst_port = 5353", []);
    expect(got).toMatchObject([
      { ...pod('client'), dst_pod: 'server', dst_pod_uid: uids.get('server'), direction: 'Egress' },
      { ...pod('client'), dst_pod: 'server', dst_pod_uid: uids.get('server'), direction: 'Ingress' },
    ]);
  });

  it('stores a connection to a Service ClusterIP as the backend pod and port really reached', async () => {
    const { results } = await lab!.traffic<{ results: { outcome: string }[] }>(client, ['tcp-connect', clusterIp, 80, 2]);
    expect(results.every((r) => r.outcome === 'established')).toBe(true);
    await arrived('both ends of the Service connection', 2, "protocol = 'TCP' AND dst_port = 8081", []);
    await agent!.waitFor('both connections counted', async () => (await rows("protocol = 'TCP' AND dst_port = 8081", [])).every((r) => r.count === '2'));
    expect(await rows("protocol = 'TCP' AND dst_port = 8081", [])).toMatchObject([
      { ...pod('client'), dst_pod: 'server', dst_pod_uid: uids.get('server'), direction: 'Egress', count: '2' },
      { ...pod('client'), dst_pod: 'server', dst_pod_uid: uids.get('server'), direction: 'Ingress', count: '2' },
    ]);
    const viaClusterIp = await sql!.query('SELECT 1 FROM flows WHERE dst_ip = $1 OR src_ip = $1', [clusterIp]);
    expect(viaClusterIp.rowCount).toBe(0);
  });

  it('reported no kernel loss and nothing dropped on the way', async () => {
    expect(await agent!.metric('kguardian_agent_kernel_ringbuf_drops_total')).toBe(0);
    expect(await agent!.metric('kguardian_agent_observations_dropped_total')).toBe(0);
    expect(await agent!.metric('kguardian_agent_observations_rejected_total')).toBe(0);
  });

  // Last: it stops the agent.
  it('loses nothing when stopped with SIGTERM right after traffic (drain, flush, ship, exit 0)', async () => {
    const { results } = await lab!.traffic<{ results: { outcome: string }[] }>(client, ['tcp-connect', server.ipv6, 8080, 2]);
    expect(results.every((r) => r.outcome === 'established')).toBe(true);
    expect(await agent!.stop()).toBe(0);
    const got = await rows('protocol = $1 AND dst_port = 8080 AND family(dst_ip) = 6', ['TCP']);
    expect(got).toMatchObject([
      { ...pod('client'), dst_pod: 'server', direction: 'Egress', count: '2' },
      { ...pod('client'), dst_pod: 'server', direction: 'Ingress', count: '2' },
    ]);
  });
});
