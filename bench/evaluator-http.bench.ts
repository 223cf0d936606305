/**
 * POST /evaluate over real HTTP: the evaluator's app served by @hono/node-server on loopback in
 * this process (pinned to one core by scripts/bench.sh), over the engine benchmark's cluster
 * (10,000 pods, 2,000 policies) fed to the model as raw objects, and a load generator in a child
 * process (another core when there is one) sending batches of 500 flows as the broker does.
 * Reports wall-clock flows per second and flows per second of this process's CPU time (the
 * one-core figure, less sensitive to a busy machine).
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { noAuth } from '../runtime/auth/types.js';
import { silentLogger } from '../runtime/logger.js';
import { ClusterIndex } from '../daemons/evaluator/cluster/cluster-index.js';
import { createIndexedModel, indexOptions } from '../daemons/evaluator/cluster/indexed-model.js';
import { createEvaluatorApp } from '../daemons/evaluator/http/app.js';
import { resultsBody } from '../daemons/evaluator/http/evaluation-json.js';
import { answerOf } from '../contracts/evaluate-answer.js';
import { createEvaluatorMetrics } from '../daemons/evaluator/metrics.js';
import { namespaceObjects, podObjects, policyObjects } from './lib/engine-cluster.js';
import { machineLine, recordSection } from './lib/record.js';

const FLOWS = Number(process.env.KG_BENCH_FLOWS ?? 1_000_000);
const BATCH = 500;

const index = new ClusterIndex(indexOptions());
const built = performance.now();
for (const ns of namespaceObjects()) index.applyNamespace(ns);
for (const pod of podObjects(new Date(Date.now() - 86_400_000).toISOString())) index.applyPod(pod);
for (const p of policyObjects()) index.applyPolicy(p.kind, p);
const buildMs = performance.now() - built;
const model = createIndexedModel({ index });
const app = createEvaluatorApp({ model, auth: noAuth, metrics: createEvaluatorMetrics(), logger: silentLogger });
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
await new Promise((r) => server.once('listening', r));
const port = (server.address() as AddressInfo).port;

interface Run {
  flows: number;
  requests: number;
  ms: number;
  cpuMs: number;
  requestBytes: number;
  responseBytes: number;
}

async function load(distinct: number, flows: number): Promise<Run> {
  const pin = cpus().length > 1 ? ['taskset', '-c', '1'] : [];
  const [cmd, ...args] = [...pin, process.execPath, '--import', 'tsx', 'bench/lib/evaluate-load.ts'];
  const child = spawn(cmd, args, {
    env: { ...process.env, URL: `http://127.0.0.1:${port}/evaluate`, FLOWS: String(flows), DISTINCT: String(distinct), BATCH: String(BATCH), CONCURRENCY: '2' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface(child.stdout);
  let cpu: NodeJS.CpuUsage | undefined;
  for await (const line of lines) {
    if (line === 'ready') {
      global.gc?.();
      cpu = process.cpuUsage();
      child.stdin.write('go\n');
      continue;
    }
    const used = process.cpuUsage(cpu);
    const r = JSON.parse(line) as Omit<Run, 'cpuMs'>;
    child.stdin.end();
    return { ...r, cpuMs: (used.user + used.system) / 1000 };
  }
  throw new Error('the load generator ended without a result');
}

/** Encoding alone: one batch's response built from fresh evaluations vs from the answers kept with each judgement. */
function encodeFigures(): { fresh: number; memo: number } {
  const items = Array.from({ length: BATCH }, (_, i) => ({
    id: i,
    observedAt: new Date().toISOString(),
    count: 1,
    direction: 'Ingress' as const,
    flow: { src: { ip: `10.0.${i % 200}.${10 + (i % 20)}` }, dst: { ip: `10.1.${(i * 7) % 200}.${10 + ((i * 3) % 20)}` }, protocol: 'TCP' as const, port: 8080 },
  }));
  const out = model.evaluate(items);
  if (out.status !== 'ok') throw new Error(out.status);
  const rounds = 200;
  let t = performance.now();
  for (let r = 0; r < rounds; r++) JSON.stringify({ results: out.results.map((x) => ({ id: x.id, ...answerOf(x.evaluation, x.direction, true) })) });
  const fresh = (performance.now() - t) / rounds;
  resultsBody(out.results);
  t = performance.now();
  for (let r = 0; r < rounds; r++) resultsBody(out.results);
  const memo = (performance.now() - t) / rounds;
  return { fresh: (BATCH / fresh) * 1000, memo: (BATCH / memo) * 1000 };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const warm = await load(10_000, 100_000);
const repeated = await load(10_000, FLOWS);
const cold = await load(0, Math.min(FLOWS, 500_000));
const encode = encodeFigures();
await new Promise((r) => server.close(r));

const row = (title: string, r: Run): string =>
  `| ${title} | ${fmt((r.flows / r.ms) * 1000)}/s | ${fmt((r.flows / r.cpuMs) * 1000)}/s | ${fmt(r.flows)} in ${fmt(r.requests)} requests, ${(r.requestBytes / r.flows).toFixed(0)} B in / ${(r.responseBytes / r.flows).toFixed(0)} B out per flow |`;
const s = model.stats();
const markdown = `## Evaluator POST /evaluate over HTTP (\`bench/evaluator-http.bench.ts\`)

Machine: ${machineLine()}; server pinned to one core (\`taskset -c 0\`), load generator in a child process on core 1.
Load while measured: ${process.env.KG_BENCH_LOAD ?? 'not stated'}.
Cluster: ${fmt(s.pods)} pods in ${s.namespaces} namespaces, ${fmt(s.policies)} policies, fed as raw objects through the model (${fmt(buildMs)} ms).
Batches of ${BATCH} flows, 2 requests in flight, keep-alive; responses read whole. "per CPU-second" divides by the server process's own CPU time.

| figure | wall clock | per server CPU-second | detail |
|---|---|---|---|
${row('repeated flows (10,000 distinct, memo warm)', repeated)}
${row('cold flows (every flow new)', cold)}

Encoding alone (in-process, one 500-flow response of repeated evaluations): \`JSON.stringify\` of the answers ${fmt(encode.fresh)} flows/s,
the answers kept with each memoised judgement, with the response written into one buffer ${fmt(encode.memo)} flows/s.
${process.env.KG_BENCH_NOTE ? `\n${process.env.KG_BENCH_NOTE}\n` : ''}
Target: at least 100,000 flows/s on one core (warm-up run of ${fmt(warm.flows)} flows not counted).
`;
process.stdout.write(markdown);
if (process.env.KG_BENCH_RECORD !== '0') recordSection('evaluator-http', markdown);
