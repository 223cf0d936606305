/**
 * CPU and memory of each kguardian pod on the real cluster (scripts/cluster.sh), idle and under
 * the traffic of test/cluster/faults.cluster.test.ts, read from the kubelet's resource metrics
 * endpoint (`/api/v1/nodes/NODE/proxy/metrics/resource`: the cgroup counters the kubelet gets from
 * containerd, the figures `kubectl top` and the metrics-server show).
 *
 * Phases, each PHASE_S seconds (default 60), with an AuditNetworkPolicy on the server so every
 * conversation is judged:
 *  1. idle: kguardian installed, no traffic but the cluster's own (probes, CoreDNS, informers);
 *  2. paced: the faults test's pace, one connection every 0.2 s (each to its own port);
 *  3. flat out: the client loop with no pause, over 100 ports (so each port's conversations in a
 *     bucket merge into one observation of count N, as a busy service's would).
 * CPU is the counter's increase over the phase divided by its length; memory the working set,
 * sampled every 5 s (the mean and the largest). Writes the `cluster-resources` section of
 * docs/BENCHMARKS.md. Run by bench/cluster-resources.bench.sh (root, one cluster per host).
 */
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { BrokerReader } from '../../test/cluster/testing/broker-reader.js';
import { Cluster, clusterEnv, clusterScript } from '../../test/cluster/testing/cluster.js';
import { ClientLoop, NAMESPACE, workloadManifest } from '../../test/cluster/testing/conversations.js';
import { installKguardian, loadImages } from '../../test/cluster/testing/kguardian.js';
import { CLUSTER_IMAGES, hostCgroupRoot } from '../../test/cluster/testing/setup.js';
import { machineLine, recordSection } from '../lib/record.js';

const PHASE_S = Number(process.env.PHASE_S ?? 60);
const SAMPLE_MS = 5_000;

/** One reading of the resource endpoint: per kguardian pod, CPU seconds and working set bytes. */
interface Reading {
  atMs: number;
  /** CPU seconds and the kubelet's time of that reading (ms). */
  cpu: Map<string, [number, number]>;
  memory: Map<string, number>;
}

async function read(cluster: Cluster): Promise<Reading> {
  const text = await cluster.kubectl(['get', '--raw', `/api/v1/nodes/${cluster.env.NODE_NAME}/proxy/metrics/resource`]);
  const out: Reading = { atMs: Date.now(), cpu: new Map(), memory: new Map() };
  for (const line of text.split('\n')) {
    const m = /^pod_(cpu_usage_seconds_total|memory_working_set_bytes)\{namespace="kguardian",pod="([^"]+)"\} (\S+) (\d+)/.exec(line);
    if (!m?.[2] || !m[3] || !m[4]) continue;
    if (m[1] === 'cpu_usage_seconds_total') out.cpu.set(m[2], [Number(m[3]), Number(m[4])]);
    else out.memory.set(m[2], Number(m[3]));
  }
  if (out.cpu.size === 0) throw new Error(`the kubelet's resource metrics name no kguardian pod:\n${text.slice(0, 2000)}`);
  return out;
}

interface PhaseFigures {
  /** Per pod: CPU in millicores over the phase, mean and largest working set in MiB. */
  pods: Map<string, { cpuM: number; memMeanMiB: number; memMaxMiB: number }>;
  connections: number;
  seconds: number;
}

async function phase(cluster: Cluster, traffic: () => ClientLoop | undefined): Promise<PhaseFigures> {
  const loop = traffic();
  const first = await read(cluster);
  const samples: Reading[] = [first];
  const end = first.atMs + PHASE_S * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, end - Date.now())));
    samples.push(await read(cluster));
  }
  // Every connection the loop made, including any before the first reading: all are stored.
  const made = loop ? (await loop.stop()).filter((c) => c.ok) : [];
  const last = samples[samples.length - 1] ?? first;
  const seconds = (last.atMs - first.atMs) / 1000;
  const pods = new Map<string, { cpuM: number; memMeanMiB: number; memMaxMiB: number }>();
  for (const [pod, [cpu, atMs]] of last.cpu) {
    const mem = samples.map((s) => s.memory.get(pod) ?? 0);
    const [cpu0, at0] = first.cpu.get(pod) ?? [0, atMs];
    pods.set(pod, {
      cpuM: atMs > at0 ? ((cpu - cpu0) / ((atMs - at0) / 1000)) * 1000 : NaN,
      memMeanMiB: mem.reduce((a, b) => a + b, 0) / mem.length / 2 ** 20,
      memMaxMiB: Math.max(...mem) / 2 ** 20,
    });
  }
  return { pods, connections: made.length, seconds };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kgc-bench-'));
  const loadAtStart = loadavg().map((x) => x.toFixed(1)).join(' ');
  await clusterScript(['up'], dir);
  try {
    const cluster = new Cluster(await clusterEnv(dir));
    const images = await loadImages(cluster, CLUSTER_IMAGES);
    await installKguardian(cluster, images, hostCgroupRoot());
    const agnhost = images.agnhost ?? '';
    const paced: [number, number] = [20000, 20000 + Math.ceil(PHASE_S / 0.2) + 50];
    const flat: [number, number] = [21000, 21100];
    await cluster.kubectl(['apply', '-f', '-'], workloadManifest(agnhost, [{ name: 'server', ports: [paced[0], flat[1]] }]));
    await cluster.kubectl(['-n', NAMESPACE, 'wait', '--for=condition=Ready', 'pod/client', 'pod/server', '--timeout=300s']);
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'kguardian.dev/v1alpha1', kind: 'AuditNetworkPolicy', metadata: { name: 'server-closed', namespace: NAMESPACE },
      spec: { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [] },
    }));
    const serverIp = (await cluster.json<{ status: { podIP: string } }>(['-n', NAMESPACE, 'get', 'pod', 'server'])).status.podIP;
    const broker = await BrokerReader.create(cluster, NAMESPACE);
    const since = new Date();

    const idle = await phase(cluster, () => undefined);
    const pacedFigures = await phase(cluster, () => new ClientLoop(cluster, serverIp, { from: paced[0], to: paced[1] }, 0.2));
    const flatFigures = await phase(cluster, () => new ClientLoop(cluster, serverIp, { from: flat[0], to: flat[1], total: 10_000_000 }, 0));
    // The last bucket of the flat-out phase ships when it ends (KG_BUCKET_MS, 10 s): wait for
    // every connection to be stored, and say so if some never are.
    const made = pacedFigures.connections + flatFigures.connections;
    const storedNow = async (): Promise<number> => (await broker.flows(since))
      .filter((r) => r.src.pod === 'client' && r.direction === 'Egress').reduce((a, r) => a + r.count, 0);
    let stored = await storedNow();
    for (const until = Date.now() + 60_000; stored < made && Date.now() < until; stored = await storedNow()) {
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const loadAtEnd = loadavg().map((x) => x.toFixed(1)).join(' ');

    const names = [...idle.pods.keys()].sort();
    const cell = (f: PhaseFigures, pod: string): string => {
      const p = f.pods.get(pod);
      return p ? `${p.cpuM.toFixed(0)} m | ${p.memMeanMiB.toFixed(0)} / ${p.memMaxMiB.toFixed(0)} MiB` : 'n/a | n/a';
    };
    const rate = (f: PhaseFigures): string => `${String(f.connections)} connections in ${f.seconds.toFixed(0)} s (${(f.connections / f.seconds).toFixed(1)}/s)`;
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    recordSection('cluster-resources', `
## kguardian pods on the real cluster: CPU and memory (\`bench/cluster-resources.bench.sh\`)

Machine: ${machineLine()}; commit ${commit}; load average ${loadAtStart} at the start, ${loadAtEnd} at the end (2 cores shared
with other work: the cluster's own processes, the client loop and everything else on the machine compete with the pods).
The chart's defaults on \`scripts/cluster.sh\` (one node): one broker, two evaluators, the agent, the bundled PostgreSQL;
an AuditNetworkPolicy judging every conversation to the server. Figures from the kubelet's resource metrics
(\`/api/v1/nodes/NODE/proxy/metrics/resource\`, pod_cpu_usage_seconds_total and pod_memory_working_set_bytes, what
\`kubectl top pod\` shows): CPU is the increase over ${String(PHASE_S)} s per phase in millicores; memory is the working set,
mean / largest of samples every ${String(SAMPLE_MS / 1000)} s. The agent's figure includes its kg-loader (same container).

- idle: no traffic but the cluster's own (probes, CoreDNS, watches);
- paced: the faults test's traffic, one TCP connection every 0.2 s from a client pod to a server pod, each to its own port: ${rate(pacedFigures)};
- flat out: the same loop with no pause over 100 ports: ${rate(flatFigures)}.

The broker stored ${String(stored)} client-side conversations of the ${String(made)} connections of the two loaded phases.
The flat-out phase costs kguardian no more than the paced one: the agent merges the connections to one port within a
bucket into one observation of count N, so the broker and the evaluator see about 100 flows per 10 s either way, and
the agent's own share per connection is small (see the agent's figures at 5,000 connections per second above).

| pod | idle CPU | idle memory | paced CPU | paced memory | flat-out CPU | flat-out memory |
|---|---|---|---|---|---|---|
${names.map((n) => `| ${n.replace(/-[a-z0-9]{5}$/, '-…').replace(/-[a-f0-9]{8,10}-…$/, '-…')} | ${cell(idle, n)} | ${cell(pacedFigures, n)} | ${cell(flatFigures, n)} |`).join('\n')}

The chart's requests and limits for comparison: broker, evaluator and PostgreSQL request 100m / 256Mi (limit 1 CPU / 1Gi),
the agent 50m / 128Mi (limit 500m / 512Mi).
`);
    process.stdout.write('recorded the cluster-resources section of docs/BENCHMARKS.md\n');
  } finally {
    await clusterScript(['down'], dir);
  }
}

await main();
