/**
 * How well generated policies generalise: learn from one window of traffic, then judge the
 * generated policies (with the policy engine, as `gen networkpolicy --holdout` does) on a later,
 * held-out window of the same traffic, and count what they would deny there.
 * - the playground's recorded kernel run (playground/recorded/shop-flows.json): the scenario run
 *   again (same traffic), and one run split at its midpoint (a window too short for the scenario);
 * - the shop example (test/fixtures/gen/shop) with its last day held out;
 * - the real cluster's recording (test/fixtures/gen/real-cluster, written by
 *   test/cluster/gen.cluster.test.ts with KG_GEN_RECORD): every workload of the cluster learned from
 *   the test's first round, judged on its second, the two windows read apart as `--holdout` reads them;
 * - synthetic traffic with a long tail (Zipf-weighted edges between 30 workloads and outside
 *   addresses, 1,500 flows a day, seeded): learn from 1, 3 or 6 days, judge day 7.
 * Deterministic: no timings, the figures are counts. Results go to docs/BENCHMARKS.md.
 */
import { readFileSync } from 'node:fs';
import { loadFlows, type LineFlow } from '../plugin/audit-test/load-flows.js';
import { judge } from '../plugin/gen/check.js';
import { resolveFlows } from '../plugin/gen/ends.js';
import { generate } from '../plugin/gen/generate.js';
import { loadSnapshot, type Snapshot } from '../plugin/gen/snapshot.js';
import type { GenSettings } from '../plugin/gen/types.js';
import { splitHoldout } from '../plugin/gen/windows.js';
import { groupWorkloads } from '../plugin/gen/workloads.js';
import { loadRecording } from '../playground/recorded.js';
import { PODS } from '../playground/scenario.js';
import { machineLine, recordSection } from './lib/record.js';
import { seededRandom } from '../runtime/testing/seeded-random.js';

const SETTINGS: GenSettings = { kind: 'AuditNetworkPolicy', aggregateV4: 32, aggregateV6: 128, minFlows: 0, recentAfter: undefined, source: 'bench' };

interface Outcome {
  policies: number;
  learned: number;
  heldOut: number;
  deniedLines: number;
  heldOutFlows: number;
  deniedFlows: number;
  denied: string[];
}

function measure(clusterText: string, learn: readonly LineFlow[], heldOut: readonly LineFlow[], settings: Partial<GenSettings> = {}): Outcome {
  const snapshot: Snapshot = loadSnapshot({ name: 'cluster', text: clusterText });
  const cluster = groupWorkloads(snapshot);
  const pods = snapshot.pods.map((p) => p.info);
  const result = generate({ namespaces: snapshot.namespaces, pods, cluster, targets: cluster.workloads, flows: learn, settings: { ...SETTINGS, ...settings } });
  const judged = resolveFlows(cluster, heldOut).flows.map((f) => f.input);
  const denials = judge(snapshot.namespaces, pods, result.policies.map((p) => p.object)).denials(judged);
  const lines = new Map(denials.map((d) => [d.line, d]));
  const text = (e: LineFlow['flow']['src']): string => (e.pod !== undefined ? `${e.namespace ?? ''}/${e.pod}` : (e.ip ?? '?'));
  return {
    policies: result.policies.length,
    learned: learn.length,
    heldOut: judged.length,
    deniedLines: lines.size,
    heldOutFlows: judged.reduce((a, f) => a + f.seen.count, 0),
    deniedFlows: [...lines.values()].reduce((a, d) => a + d.count, 0),
    denied: [...lines.values()].map((d) => `${text(d.flow.src)} → ${text(d.flow.dst)} ${d.flow.port}/${d.flow.protocol}`),
  };
}

function list(items: object[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function lines(flows: readonly object[]): LineFlow[] {
  return loadFlows({ name: 'flows', text: flows.map((f) => JSON.stringify(f)).join('\n') });
}

// ---- the playground's recording ----

function playground(): { cluster: string; runs: (shiftMs: number) => object[]; span: [number, number] } {
  const rec = loadRecording();
  const items: object[] = [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'kg-node' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } }];
  for (const ns of new Set(PODS.map((p) => p.namespace))) items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const p of PODS) items.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace, labels: p.labels }, spec: { containers: [] }, status: { podIP: rec.pods[p.name] } });
  // The agent reports each flow from both of its ends (Egress and Ingress): one line per distinct flow, as the broker's reader gives.
  const distinct = new Map<string, { first: number; last: number; count: number; f: (typeof rec.flows)[number] }>();
  for (const f of rec.flows) {
    const key = `${f.src.ip}|${f.dst.ip}|${f.protocol}|${f.dst.port}`;
    const d = distinct.get(key);
    const [first, last] = [Date.parse(f.firstSeen), Date.parse(f.lastSeen)];
    if (!d) distinct.set(key, { first, last, count: f.count, f });
    else if (f.direction === 'Egress') Object.assign(d, { first: Math.min(d.first, first), last: Math.max(d.last, last), count: d.count + f.count });
  }
  const end = (e: (typeof rec.flows)[number]['src']): object => (e.namespace && e.pod ? { ip: e.ip, namespace: e.namespace, pod: e.pod } : { ip: e.ip });
  const runs = (shiftMs: number): object[] =>
    [...distinct.values()].map((d) => ({
      src: end(d.f.src),
      dst: end(d.f.dst),
      protocol: d.f.protocol,
      port: d.f.dst.port,
      firstSeen: new Date(d.first + shiftMs).toISOString(),
      lastSeen: new Date(d.last + shiftMs).toISOString(),
      count: d.count,
    }));
  const times = [...distinct.values()].flatMap((d) => [d.first, d.last]);
  return { cluster: list(items), runs, span: [Math.min(...times), Math.max(...times)] };
}

// ---- synthetic long-tail traffic ----

const DAY = 86_400_000;
const PATHS = Number(process.env.KG_BENCH_PATHS ?? 400);
const FLOWS_PER_DAY = Number(process.env.KG_BENCH_FLOWS_PER_DAY ?? 1500);
const ZIPF = 1.1;
const START = Date.parse('2026-11-01T00:00:00Z');

function synthetic(): { cluster: string; days: object[][]; edges: number } {
  const r = seededRandom(7);
  const items: object[] = [];
  const workloads: { ns: string; name: string; ip: string }[] = [];
  for (let n = 0; n < 5; n++) {
    items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } });
    for (let w = 0; w < 6; w++) {
      const ip = `10.244.${n}.${w + 1}`;
      workloads.push({ ns: `ns-${n}`, name: `w${w}`, ip });
      items.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${w}`, namespace: `ns-${n}`, labels: { app: `w${w}` } }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] }, status: { podIP: ip } });
    }
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  // Path k is used with weight 1/(k+1)^ZIPF: a few busy paths, a long tail of rare ones.
  const edges = Array.from({ length: PATHS }, (_, k) => {
    const src = pick(workloads);
    const external = r() < 0.2;
    const dst = external ? `198.51.100.${1 + Math.floor(r() * 200)}` : pick(workloads).ip;
    return { src: src.ip, dst, protocol: r() < 0.15 ? 'UDP' : 'TCP', port: external ? 443 : pick([8080, 8080, 9090, 5432]), weight: 1 / (k + 1) ** ZIPF };
  });
  const total = edges.reduce((a, e) => a + e.weight, 0);
  const days: object[][] = [];
  for (let d = 0; d < 7; d++) {
    const seen = new Map<number, { count: number; first: number; last: number }>();
    for (let i = 0; i < FLOWS_PER_DAY; i++) {
      let x = r() * total;
      let k = 0;
      while (k < edges.length - 1 && (x -= (edges[k] as { weight: number }).weight) > 0) k++;
      const at = START + d * DAY + Math.floor(r() * DAY);
      const s = seen.get(k);
      seen.set(k, s ? { count: s.count + 1, first: Math.min(s.first, at), last: Math.max(s.last, at) } : { count: 1, first: at, last: at });
    }
    days.push(
      [...seen].map(([k, s]) => {
        const e = edges[k] as (typeof edges)[number];
        return { src: { ip: e.src }, dst: { ip: e.dst }, protocol: e.protocol, port: e.port, firstSeen: new Date(s.first).toISOString(), lastSeen: new Date(s.last).toISOString(), count: s.count };
      }),
    );
  }
  return { cluster: list(items), days, edges: new Set(edges.map((e) => `${e.src}|${e.dst}|${e.protocol}|${e.port}`)).size };
}

// ---- report ----

function row(what: string, o: Outcome): string {
  const share = o.heldOutFlows === 0 ? '0%' : `${((100 * o.deniedFlows) / o.heldOutFlows).toFixed(1)}%`;
  const which = o.denied.length === 0 ? '' : o.denied.length <= 3 ? o.denied.join('; ') : `${o.denied.slice(0, 2).join('; ')}; and ${o.denied.length - 2} more`;
  return `| ${what} | ${o.policies} | ${o.learned} | ${o.heldOut} | ${o.deniedLines} | ${o.deniedFlows} of ${o.heldOutFlows} (${share}) | ${which} |`;
}

const rows: string[] = [];
const pg = playground();
const runLength = pg.span[1] - pg.span[0] + 1000;
rows.push(row('playground, the scenario run again', measure(pg.cluster, lines(pg.runs(0)), lines(pg.runs(runLength)))));
const one = lines(pg.runs(0));
const mid = (pg.span[0] + pg.span[1]) / 2;
rows.push(row('playground, one run split at its midpoint', measure(pg.cluster, one.filter((f) => (f.seen.first ?? 0) < mid), one.filter((f) => (f.seen.last ?? 0) >= mid))));

const shopFlows = loadFlows({ name: 'flows.jsonl', text: readFileSync('test/fixtures/gen/shop/flows.jsonl', 'utf8') });
const shopSplit = splitHoldout(shopFlows, 'flows.jsonl', DAY, undefined);
rows.push(row('shop example, last day held out', measure(readFileSync('test/fixtures/gen/shop/cluster.yaml', 'utf8'), shopSplit.learn, shopSplit.heldOut)));

const REAL = 'test/fixtures/gen/real-cluster';
const real = (file: string): LineFlow[] => loadFlows({ name: file, text: readFileSync(`${REAL}/${file}`, 'utf8') });
rows.push(row('real cluster with kube-router, every workload, the gen test\'s second round held out', measure(readFileSync(`${REAL}/cluster.yaml`, 'utf8'), real('learn.jsonl'), real('held-out.jsonl'))));

const syn = synthetic();
for (const learnDays of [1, 3, 6]) rows.push(row(`synthetic long tail, ${learnDays} day${learnDays === 1 ? '' : 's'} learned, day 7 judged`, measure(syn.cluster, lines(syn.days.slice(6 - learnDays, 6).flat()), lines(syn.days[6] ?? []))));
rows.push(row('synthetic long tail, 1 day learned with `--aggregate-cidr 24`, day 7 judged', measure(syn.cluster, lines(syn.days[5] ?? []), lines(syn.days[6] ?? []), { aggregateV4: 24 })));

const markdown = `## Generated policies on held-out traffic (\`bench/gen-holdout.bench.ts\`)

Machine: ${machineLine()}. Counts, not timings: the same on any machine.
Each row learns policies for every workload from one window (\`plugin/gen/\`, as \`gen networkpolicy\`), then the
policy engine judges them on a later window of the same traffic (as \`--holdout\` does). A flow line is one
distinct flow (source, destination, protocol, port) in one read of the broker (for the synthetic traffic, one a
day); "flows" counts its repeats.

| traffic | policies | lines learned | held-out lines | denied lines | denied flows | denied |
|---|---|---|---|---|---|---|
${rows.join('\n')}

The synthetic traffic: 30 workloads in 5 namespaces, ${syn.edges} distinct paths (20% to outside addresses) used with
Zipf weights (1/k^${ZIPF}), ${FLOWS_PER_DAY.toLocaleString('en-US')} flows a day for 7 days, seed 7. The denials on held-out traffic are the paths the
learning window never saw: rare callers. The playground's split shows the same in small: half a run never saw
payments look up and call its database. Hence a generated policy goes into audit mode first, learns from a
window that covers the workload's cycles (a week catches the weekly job), and is promoted only once its WOULD-DENY
stays at 0 (\`audit promote --min-quiet\`).

The real cluster's row is the recording of \`test/cluster/gen.cluster.test.ts\` (\`KG_GEN_RECORD=DIR\`, in
\`test/fixtures/gen/real-cluster/\`): the shared cluster with kguardian installed and kube-router enforcing, so
kguardian's own daemons (broker, two evaluators, PostgreSQL), CoreDNS, the kubelet and the API server on the node,
and the test's client → api → db through Services and CoreDNS. Policies for every workload are learned from the
test's start through its first round and judged on its second round, the two windows read apart from the broker
as \`gen --holdout\` reads them; the test measures the same live and requires no denial of its own workloads.
Nothing is denied because nothing in the held-out window is new: the daemons' traffic is periodic and the round
repeats the first. The workload that never called (the test's stranger) has no policy (skipped: no flows), nor
has the agent (host network). A window of minutes of repetitive traffic generalises trivially; the long-tail rows
say what rare callers do to a week.`;

recordSection('gen-holdout', markdown);
process.stdout.write(markdown + '\n');
