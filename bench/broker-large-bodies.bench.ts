/**
 * Large bodies at once: does the broker stay responsive, and how much memory does it take, when
 * eight maximal `POST /v1/flows` bodies (at the byte cap) and eight one byte past it arrive
 * together? A real PostgreSQL and the broker run as their own processes; this process sends the
 * bodies and, from before the first to after the last answer, asks `/healthz` every 50 ms on a
 * fresh connection (as a kubelet's probe does), sampling the broker's resident memory at each
 * tick. The baseline is the same probing with no load, in the same run. @bench-cores all: the
 * broker and PostgreSQL are measured side by side, not pinned to one core.
 *
 * Phases, each with the bodies sent all at once (bench/lib/max-flow-bodies.ts):
 *  - agent-like: 8 valid batches of 20,000 observations as agents write them, exactly the cap;
 *  - costliest: 8 valid batches carrying the most JSON values the limits let through;
 * each with 8 oversized bodies (the cap plus one byte) sent chunked, so the broker reads each up to
 * the cap before refusing it (a Content-Length past the cap is refused before any byte is read).
 *
 * Env: ROUNDS (loaded phases of each kind, default 1), KINDS (default "agent-like costliest"),
 * BROKER_NODE_ARGS (Node flags of the broker, e.g. --cpu-prof), NO_RECORD=1 (print only).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FLOW_BATCH_LIMITS } from '../contracts/flow-batch-limits.js';
import { createDatabase, startBroker, startPostgres, type Broker } from '../daemons/broker/testing/broker-process.js';
import { maxValidBody, oversizedBody, type BodyKind } from './lib/max-flow-bodies.js';
import { processCpu } from './lib/proc-cpu.js';
import { machineLine, recordSection } from './lib/record.js';

const PROBE_EVERY_MS = 50;
const AT_ONCE = 8;
const BASELINE_MS = 5000;
/** Probing goes on this long after the last body is answered (GC, the store's work). */
const TAIL_MS = 1000;
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const KINDS = (process.env.KINDS ?? 'agent-like costliest').split(' ').filter(Boolean) as BodyKind[];
const BROKER_NODE_ARGS = (process.env.BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const NODE = 'bench-node';
const MIB = 2 ** 20;

interface PhaseResult {
  name: string;
  probes: number[];
  /** Largest resident set sampled, bytes. */
  peakRss: number;
  rssBefore: number;
  /** Slowest answer to a valid body and to an oversized one, ms (0: none sent). */
  slowestValid: number;
  slowestOversized: number;
  /** Oversized bodies answered 413, and cut off before an answer could be read. */
  refused: number;
  cutOff: number;
  /** This process's own event-loop delay at worst, ms: a late probe here is not the broker's. */
  clientLagMs: number;
  /** The broker's own event-loop delay at worst, ms. */
  brokerLagMs: number;
  /** CPU seconds the broker used (all its threads), and the phase's wall seconds. */
  brokerCpuS: number;
  wallS: number;
}

/** The broker's resident set and its high-water mark, bytes (Linux). */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** GET on a connection of its own (a kept-alive one may have been closed by the broker meanwhile). */
function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve(Buffer.concat(chunks).toString());
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The broker's own longest event-loop delay since the last scrape, ms (prom-client's default
 * metric; its histogram restarts at each scrape, so scraping before a phase starts it afresh).
 */
async function brokerLoopDelayMax(broker: Broker): Promise<number> {
  const text = await getText(`${broker.url}/metrics`);
  const v = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1];
  if (v === undefined) throw new Error('the broker exports no nodejs_eventloop_lag_max_seconds');
  return Number(v) * 1000;
}

/** One probe on a connection of its own; resolves with the milliseconds until the whole answer. */
function probe(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/healthz`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`/healthz answered ${res.statusCode}`));
        else resolve(performance.now() - started);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Probes /healthz every PROBE_EVERY_MS and samples the broker's memory, until stopped. */
function startProbing(broker: Broker): { stop(): Promise<{ probes: number[]; peakRss: number }> } {
  const pid = broker.child.pid ?? 0;
  const pending: Promise<number>[] = [];
  let peakRss = memory(pid).rss;
  const tick = (): void => {
    const p = probe(broker.url);
    p.catch(() => undefined); // reported by stop(), not as an unhandled rejection meanwhile
    pending.push(p);
    peakRss = Math.max(peakRss, memory(pid).rss);
  };
  tick();
  const timer = setInterval(tick, PROBE_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      return { probes: await Promise.all(pending), peakRss: Math.max(peakRss, memory(pid).rss) };
    },
  };
}

/**
 * POSTs a body (chunked: no Content-Length, so the broker must read it to know its size). A body
 * the broker stops reading may fail to be written (EPIPE, ECONNRESET) before its answer is read:
 * that resolves with status 0 and the error's code.
 */
function post(url: string, body: Buffer, chunked: boolean): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json' };
    if (!chunked) headers['Content-Length'] = body.byteLength;
    let answered = false;
    const req = request(`${url}/v1/flows`, { method: 'POST', agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), ms: performance.now() - started });
      });
    });
    // A refused body may be cut off while still being written: only an error before the answer counts.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') resolve({ status: 0, text: err.code, ms: performance.now() - started });
      else reject(err);
    });
    req.end(body);
  });
}

function check(what: string, got: { status: number; text: string }, status: number, pattern: RegExp): void {
  if (got.status !== status || !pattern.test(got.text)) throw new Error(`${what}: ${got.status} ${got.text.slice(0, 300)}; expected ${status} matching ${pattern}`);
}

/** What one measured window saw of the broker and of this process, beside what its work returned. */
type Window = Pick<PhaseResult, 'probes' | 'peakRss' | 'rssBefore' | 'clientLagMs' | 'brokerLagMs' | 'brokerCpuS' | 'wallS'>;

/** Runs `work` while the broker is probed, and measures the window around it the same way for every row. */
async function measured<T>(broker: Broker, work: () => Promise<T>): Promise<{ window: Window; result: T }> {
  const rssBefore = memory(broker.child.pid ?? 0).rss;
  await brokerLoopDelayMax(broker);
  const [cpu0, wall0] = [processCpu(broker.child.pid ?? 0), performance.now()];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const probing = startProbing(broker);
  const result = await work();
  const { probes, peakRss } = await probing.stop();
  lag.disable();
  const brokerLagMs = await brokerLoopDelayMax(broker);
  const [brokerCpuS, wallS] = [processCpu(broker.child.pid ?? 0) - cpu0, (performance.now() - wall0) / 1000];
  return { result, window: { probes, peakRss, rssBefore, clientLagMs: lag.max / 1e6, brokerLagMs, brokerCpuS, wallS } };
}

async function phase(broker: Broker, name: string, valid: Buffer[], oversized: Buffer[]): Promise<PhaseResult> {
  const { result: answers, window } = await measured(broker, async () => {
    await new Promise((r) => setTimeout(r, 4 * PROBE_EVERY_MS));
    const all = await Promise.all([...valid.map((b) => post(broker.url, b, false)), ...oversized.map((b) => post(broker.url, b, true))]);
    await new Promise((r) => setTimeout(r, TAIL_MS));
    return all;
  });
  const validAnswers = answers.slice(0, valid.length);
  const oversizedAnswers = answers.slice(valid.length);
  validAnswers.forEach((a, i) => {
    check(`${name}: valid body ${i}`, a, 200, new RegExp(`"duplicate":false,"observations":${FLOW_BATCH_LIMITS.maxFlows}`));
  });
  oversizedAnswers.forEach((a, i) => {
    if (a.status !== 0) check(`${name}: oversized body ${i}`, a, 413, /"field":"body"/);
  });
  const cutOff = oversizedAnswers.filter((a) => a.status === 0).length;
  const slowest = (xs: { ms: number }[]): number => Math.max(0, ...xs.map((x) => x.ms));
  return { name, ...window, slowestValid: slowest(validAnswers), slowestOversized: slowest(oversizedAnswers), refused: oversized.length - cutOff, cutOff };
}

async function baseline(broker: Broker): Promise<PhaseResult> {
  const { window } = await measured(broker, () => new Promise((r) => setTimeout(r, BASELINE_MS)));
  return { name: `no load (${window.probes.length} probes over ${BASELINE_MS / 1000} s)`, ...window, slowestValid: 0, slowestOversized: 0, refused: 0, cutOff: 0 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const ms = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(1));
const mib = (bytes: number): string => `${Math.round(bytes / MIB).toLocaleString('en')} MiB`;

function row(r: PhaseResult): string {
  const s = [...r.probes].sort((a, b) => a - b);
  const over1s = s.filter((x) => x > 1000).length;
  const bodies = r.slowestValid > 0 ? `${ms(r.slowestValid)} ms / ${ms(r.slowestOversized)} ms (${r.refused} × 413${r.cutOff > 0 ? `, ${r.cutOff} cut off` : ''})` : '';
  return `| ${r.name} | ${ms(percentile(s, 50))} ms | ${ms(percentile(s, 99))} ms | ${ms(s.at(-1) ?? NaN)} ms | ${over1s} of ${s.length} | ${mib(r.rssBefore)} → ${mib(r.peakRss)} | ${bodies} | ${r.brokerCpuS.toFixed(1)} s in ${r.wallS.toFixed(1)} s | ${ms(r.brokerLagMs)} ms | ${ms(r.clientLagMs)} ms |`;
}

function bodies(kind: BodyKind, firstSeq: number, at: string): { valid: Buffer[]; oversized: Buffer[] } {
  const valid = Array.from({ length: AT_ONCE }, (_, i) => maxValidBody(kind, firstSeq + i, NODE, at));
  const oversized = Array.from({ length: AT_ONCE }, (_, i) => oversizedBody(firstSeq + AT_ONCE + i, NODE, at));
  return { valid, oversized };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  const pgs = startPostgres();
  let broker: Broker | undefined;
  try {
    const url = await createDatabase(pgs.url, 'bench_large_bodies');
    broker = await startBroker({ DATABASE_URL: url }, undefined, BROKER_NODE_ARGS);
    const results: PhaseResult[] = [await baseline(broker)];
    let seq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of KINDS) {
        const at = new Date().toISOString();
        const { valid, oversized } = bodies(kind, seq, at);
        seq += 2 * AT_ONCE;
        const name = `${AT_ONCE} ${kind} maximal valid + ${AT_ONCE} oversized by one byte, at once${ROUNDS > 1 ? ` (round ${round + 1})` : ''}`;
        results.push(await phase(broker, name, valid, oversized));
        console.log(row(results.at(-1) as PhaseResult));
        await new Promise((r) => setTimeout(r, 2000)); // let the store finish before the next phase
      }
    }
    console.log(row(results[0] as PhaseResult));
    const hwm = memory(broker.child.pid ?? 0).hwm;
    const loadAtEnd = loadavg().map((x) => x.toFixed(2)).join(' ');
    const pgVersion = /\d+\.\d+/.exec(execFileSync('psql', ['--version'], { encoding: 'utf8' }))?.[0] ?? '';
    if (process.env.NO_RECORD === '1') return;
    recordSection(
      'broker-large-bodies',
      `## Broker under large bodies at once (\`bench/broker-large-bodies.bench.ts\`)

Machine: ${machineLine()}; PostgreSQL ${pgVersion} (fsync off, throwaway cluster); broker (default settings, no evaluator) and PostgreSQL as their own processes, unpinned. Load average at start ${loadAtStart}, at end ${loadAtEnd} (other sessions' builds and tests on the same cores).

Each loaded phase sends ${AT_ONCE} valid \`POST /v1/flows\` bodies of exactly the cap (${FLOW_BATCH_LIMITS.maxBodyBytes.toLocaleString('en')} bytes, ${FLOW_BATCH_LIMITS.maxFlows.toLocaleString('en')} observations, every one a new flow row) and ${AT_ONCE} bodies of the cap plus one byte (chunked, so each is read up to the cap, then refused with 413), all at once, while \`/healthz\` is asked every ${PROBE_EVERY_MS} ms on a fresh connection from just before the first body until ${TAIL_MS / 1000} s after the last answer. *agent-like*: observations as agents write them, pod names lengthened to reach the cap; *costliest*: each observation also carries an unknown member holding the objects and arrays the container limit leaves and small numbers in the rest of its bytes, the most values a valid body can make \`JSON.parse\` build. Peak RSS is the broker's resident set sampled at each probe (VmHWM over the whole run: ${mib(hwm)}). *Broker CPU* is the CPU time of all the broker's threads (garbage collection included) against the phase's wall time; *longest loop delay* is the broker's own \`nodejs_eventloop_lag_max_seconds\` over the phase, and the prober's is this process's (a probe it answers late is not the broker's fault). The chart's broker has a memory limit of 1 GiB and a liveness probe with kubelet's default 1 s timeout.

| load | /healthz p50 | p99 | max | probes over 1 s | broker RSS before → peak | slowest answer: valid / oversized | broker CPU in the phase | broker's longest loop delay | prober's longest loop delay |
|---|---|---|---|---|---|---|---|---|---|
${results.map(row).join('\n')}`,
    );
  } catch (err) {
    if (broker) console.error(`broker ${broker.child.exitCode === null ? 'running' : `exited ${broker.child.exitCode}`}; its log:\n${broker.log().slice(-4000)}`);
    throw err;
  } finally {
    await broker?.kill();
    pgs.stop();
  }
}

await main();
