/**
 * Policy engine benchmark: 10,000 pods in 500 namespaces, 1,000 audit and 1,000 enforced
 * policies, 1,000,000 random flows. Reports cold evaluations per second, repeated-flow
 * evaluations through the memo, the cost of incremental updates, and resident memory.
 * Run pinned to one core by scripts/bench.sh; results go to docs/BENCHMARKS.md.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ClusterState, evaluateFlow, type Flow, type PodInfo, type Protocol } from '../policy/index.js';
import { CachedEvaluator } from '../policy/testing/cached-evaluator.js';
import { auditPolicies, basePolicies, NAMESPACES, namespaceLabels, PODS_PER_NS, POD_PORTS, podIps, podLabels, rng } from './lib/engine-cluster.js';
import { machineLine, recordSection } from './lib/record.js';

const FLOWS = Number(process.env.KG_BENCH_FLOWS ?? 1_000_000);
const rand = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

function buildPods(): PodInfo[] {
  const pods: PodInfo[] = [];
  for (let n = 0; n < NAMESPACES; n++)
    for (let p = 0; p < PODS_PER_NS; p++)
      pods.push({ namespace: `ns-${n}`, name: `pod-${p}`, labels: podLabels(p), ips: podIps(n, p), ports: POD_PORTS, hostNetwork: false });
  return pods;
}

const pods = buildPods();

// The flows live in typed arrays (an index into an address table per end), so resident
// memory measures the engine, not a million input objects; each Flow is built as it is judged,
// as a daemon builds one from each request.
const EXTERNAL = 250;
const addresses = [...pods.map((p) => p.ips[0]!), ...Array.from({ length: EXTERNAL }, (_, i) => `203.0.113.${i}`)];
const PROTOCOLS: Protocol[] = ['TCP', 'UDP'];

function randomEnd(): number {
  return rand() < 0.05 ? pods.length + Math.floor(rand() * EXTERNAL) : Math.floor(rand() * pods.length);
}

interface FlowTable {
  src: Int32Array;
  dst: Int32Array;
  protocol: Uint8Array;
  port: Uint16Array;
}

function randomFlows(n: number): FlowTable {
  const t: FlowTable = { src: new Int32Array(n), dst: new Int32Array(n), protocol: new Uint8Array(n), port: new Uint16Array(n) };
  for (let i = 0; i < n; i++) {
    t.src[i] = randomEnd();
    t.dst[i] = randomEnd();
    t.protocol[i] = rand() < 0.8 ? 0 : 1;
    t.port[i] = pick([80, 443, 8080, 9090, 5432, 53, 8500, 1 + Math.floor(rand() * 65534)]);
  }
  return t;
}

function flowAt(t: FlowTable, i: number): Flow {
  return { src: { ip: addresses[t.src[i]!]! }, dst: { ip: addresses[t.dst[i]!]! }, protocol: PROTOCOLS[t.protocol[i]!]!, port: t.port[i]! };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

const loadAtStart = loadavg()[0]!.toFixed(1);
const policies = basePolicies();
const build = time(() => {
  const state = new ClusterState();
  for (let n = 0; n < NAMESPACES; n++) state.upsertNamespace({ name: `ns-${n}`, labels: namespaceLabels(n) });
  for (const p of pods) state.upsertPod(p);
  for (const p of policies) state.upsertPolicy(p);
  return state;
});
const state = build.value;
const flows = randomFlows(FLOWS);

const cold = time(() => {
  let denied = 0;
  for (let i = 0; i < FLOWS; i++) if (!evaluateFlow(state, flowAt(flows, i)).effective.allowed) denied++;
  return denied;
});

const bare = time(() => {
  let denied = 0;
  for (let i = 0; i < FLOWS; i++) if (!evaluateFlow(state, flowAt(flows, i), { reasons: false }).effective.allowed) denied++;
  return denied;
});

const DISTINCT = 10_000;
const order = Int32Array.from({ length: FLOWS }, () => Math.floor(rand() * DISTINCT));
const cache = new CachedEvaluator(state);
const repeated = time(() => {
  let denied = 0;
  for (let i = 0; i < FLOWS; i++) if (!cache.evaluate(flowAt(flows, order[i]!)).effective.allowed) denied++;
  return denied;
});

const UPDATES = 1000;
const podUpdate = time(() => {
  for (let i = 0; i < UPDATES; i++) {
    const p = pods[Math.floor(rand() * pods.length)]!;
    state.upsertPod({ ...p, labels: { ...p.labels, app: `app-${i % 10}` } });
  }
});
const policyUpdate = time(() => {
  for (let i = 0; i < UPDATES; i++) state.upsertPolicy(auditPolicies(i % NAMESPACES)[i % 2]!);
});
const nsUpdate = time(() => {
  for (let i = 0; i < UPDATES; i++) state.upsertNamespace({ name: `ns-${i % NAMESPACES}`, labels: { team: `team-${i % 7}`, env: 'prod' } });
});

global.gc?.();
const mem = process.memoryUsage();
const perSec = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
const us = (ms: number): string => `${((ms * 1000) / UPDATES).toFixed(1)} µs`;

const counts = state.counts();
const markdown = `## Policy engine (\`bench/engine.bench.ts\`)

Machine: ${machineLine()}; pinned to one core (\`taskset -c 0\`); load average ${loadAtStart} at the start (wall-clock figures; other work on the machine slows them).
Cluster: ${counts.pods.toLocaleString('en-US')} pods in ${counts.namespaces} namespaces, ${counts.policies.toLocaleString('en-US')} policies (1,000 audit + 1,000 enforced), ${FLOWS.toLocaleString('en-US')} random flows (5% external ends).

| figure | result | target |
|---|---|---|
| build the indexes from scratch | ${build.ms.toFixed(0)} ms | |
| cold evaluations (every flow new, reasons built) | ${perSec(FLOWS, cold.ms)} (${cold.ms.toFixed(0)} ms, ${cold.value.toLocaleString('en-US')} denied) | ≥ 500,000/s |
| cold evaluations without reason sentences (\`{ reasons: false }\`) | ${perSec(FLOWS, bare.ms)} | |
| repeated flows (10,000 distinct, through the memo) | ${perSec(FLOWS, repeated.ms)} (hit rate ${((cache.hits / (cache.hits + cache.misses)) * 100).toFixed(1)}%) | |
| incremental update: pod relabelled | ${us(podUpdate.ms)} each | |
| incremental update: audit policy replaced | ${us(policyUpdate.ms)} each | |
| incremental update: namespace relabelled | ${us(nsUpdate.ms)} each | |
| resident memory after the run | ${mib(mem.rss)} (heap used ${mib(mem.heapUsed)}) | < 300 MB |

Each namespace gets the same four policy shapes (as charts install them), so many compiled rules are
identical and shared (\`policy/shared-rules.ts\`); a cluster whose every rule is distinct walks more memory per flow.
`;
process.stdout.write(markdown);
if (process.env.KG_BENCH_RECORD !== '0') recordSection('engine', markdown);
