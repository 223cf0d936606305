/**
 * Workloads for the real cluster: agnhost Deployments (the upstream e2e tests' own workload image)
 * with ClusterIP Services, and traffic made by real processes inside their pods through
 * `kubectl exec` (agnhost `connect` for TCP and UDP, glibc's `getent` for DNS through CoreDNS).
 * Nothing is faked: the packets leave the client pod's veth, cross the bridge and kube-proxy's
 * DNAT, and reach the server pod.
 */
import type { Cluster } from './cluster.js';

/** One agnhost Deployment (one replica) running `netexec` (HTTP on httpPort, UDP on 8081). */
export interface Workload {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** netexec's HTTP port (TCP); also the Service's targetPort. */
  httpPort: number;
  /** A ClusterIP Service of the same name: port -> httpPort, both address families. */
  servicePort?: number;
  /** A TCP readiness probe on httpPort (the kubelet's probes are traffic from the node). */
  probe?: boolean;
}

export interface RunningPod {
  namespace: string;
  name: string;
  ipv4: string;
  ipv6?: string;
}

/** netexec's UDP echo port (it answers `hostname` with the pod's name). */
export const UDP_PORT = 8081;

function deployment(w: Workload, image: string): object {
  const labels = { ...w.labels, 'kguardian.test/workload': w.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace: w.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'kguardian.test/workload': w.name } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'agnhost',
            image,
            imagePullPolicy: 'Never',
            args: ['netexec', `--http-port=${w.httpPort}`, `--udp-port=${UDP_PORT}`],
            ports: [{ name: 'http', containerPort: w.httpPort, protocol: 'TCP' }, { name: 'udp', containerPort: UDP_PORT, protocol: 'UDP' }],
            // Only where asked: a kubelet probe is traffic too, and an audited pod's counts must be only the test's.
            ...(w.probe ? { readinessProbe: { tcpSocket: { port: w.httpPort }, periodSeconds: 2 } } : {}),
          }],
        },
      },
    },
  };
}

function service(w: Workload): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: w.name, namespace: w.namespace },
    spec: {
      type: 'ClusterIP',
      ipFamilyPolicy: 'PreferDualStack',
      selector: { 'kguardian.test/workload': w.name },
      ports: [{ name: 'http', port: w.servicePort, targetPort: w.httpPort, protocol: 'TCP' }],
    },
  };
}

/** Creates the namespaces (with their labels), Deployments and Services, and waits until each pod is Ready. */
export async function deployWorkloads(cluster: Cluster, image: string, namespaces: Record<string, Record<string, string>>, workloads: readonly Workload[]): Promise<Map<string, RunningPod>> {
  const items: object[] = Object.entries(namespaces).map(([name, labels]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  for (const w of workloads) {
    items.push(deployment(w, image));
    if (w.servicePort !== undefined) items.push(service(w));
  }
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const pods = new Map<string, RunningPod>();
  for (const w of workloads) {
    await cluster.kubectl(['-n', w.namespace, 'rollout', 'status', '--timeout=300s', `deploy/${w.name}`]);
    pods.set(`${w.namespace}/${w.name}`, await podOf(cluster, w));
  }
  return pods;
}

interface PodJson { metadata: { name: string; deletionTimestamp?: string }; status: { phase?: string; podIPs?: { ip: string }[] } }

async function podOf(cluster: Cluster, w: Workload): Promise<RunningPod> {
  const list = await cluster.json<{ items: PodJson[] }>(['-n', w.namespace, 'get', 'pods', '-l', `kguardian.test/workload=${w.name}`]);
  const running = list.items.filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
  if (running.length !== 1) throw new Error(`expected one running pod of ${w.namespace}/${w.name}, found ${running.length}`);
  const pod = running[0]!;
  const ips = (pod.status.podIPs ?? []).map((p) => p.ip);
  const ipv4 = ips.find((ip) => !ip.includes(':'));
  if (!ipv4) throw new Error(`pod ${w.namespace}/${pod.metadata.name} has no IPv4 address`);
  const ipv6 = ips.find((ip) => ip.includes(':'));
  return { namespace: w.namespace, name: pod.metadata.name, ipv4, ...(ipv6 === undefined ? {} : { ipv6 }) };
}

/** A Service's ClusterIPs (IPv4 first). */
export async function clusterIps(cluster: Cluster, namespace: string, name: string): Promise<string[]> {
  const svc = await cluster.json<{ spec: { clusterIPs: string[] } }>(['-n', namespace, 'get', 'service', name]);
  return svc.spec.clusterIPs;
}

export interface ExecResult { code: number; stdout: string; stderr: string }

/** Runs a command in a pod's container through the API server and the kubelet (`kubectl exec`). */
export async function execIn(cluster: Cluster, pod: RunningPod, cmd: readonly string[]): Promise<ExecResult> {
  try {
    const stdout = await cluster.kubectl(['-n', pod.namespace, 'exec', pod.name, '--', ...cmd]);
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** host:port with IPv6 addresses in brackets. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * One TCP connection from a process in `from` (agnhost connect): resolves when it was accepted,
 * 'refused' when the server's host answered with a reset; anything else throws.
 */
export async function tcpConnect(cluster: Cluster, from: RunningPod, ip: string, port: number): Promise<'connected' | 'refused'> {
  const r = await execIn(cluster, from, ['/agnhost', 'connect', '--timeout=10s', hostPort(ip, port)]);
  if (r.code === 0) return 'connected';
  if (r.stderr.includes('REFUSED')) return 'refused';
  throw new Error(`agnhost connect ${hostPort(ip, port)} from ${from.namespace}/${from.name} exited ${r.code}: ${r.stderr.trim()}`);
}

/** One UDP exchange (a datagram to netexec's UDP port and its answer) from a process in `from`. */
export async function udpExchange(cluster: Cluster, from: RunningPod, ip: string, port: number): Promise<void> {
  const r = await execIn(cluster, from, ['/agnhost', 'connect', '--protocol=udp', '--timeout=10s', hostPort(ip, port)]);
  if (r.code !== 0) throw new Error(`agnhost connect --protocol=udp ${hostPort(ip, port)} from ${from.namespace}/${from.name} exited ${r.code}: ${r.stderr.trim()}`);
}

/**
 * DNS lookups through the cluster's resolver (CoreDNS behind the kube-dns ClusterIP), `times`
 * in one process each, from one exec: glibc's getaddrinfo for IPv4 only, of a fully qualified
 * name (trailing dot: no search domains), sends one A query from a fresh socket, so each lookup
 * is one UDP conversation. Returns the addresses answered.
 */
export async function dnsLookups(cluster: Cluster, from: RunningPod, fqdn: string, times: number): Promise<string[]> {
  if (!fqdn.endsWith('.')) throw new Error(`${fqdn}: give a fully qualified name with its trailing dot`);
  const r = await execIn(cluster, from, ['sh', '-c', `for i in $(seq ${times}); do getent ahostsv4 ${fqdn} | head -n 1; done`]);
  if (r.code !== 0) throw new Error(`getent in ${from.namespace}/${from.name} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0] ?? '');
}
