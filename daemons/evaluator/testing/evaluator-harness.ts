/**
 * The evaluator as the end-to-end tests run it: in-process replicas (the real cluster model over
 * the test API server, the real HTTP app on a loopback port, the real Lease election and status
 * reconciler), plus what the tests do to the rest of the system: post flows to a real broker,
 * read `kubectl get` tables, and wait for a condition with a generous deadline.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AddressInfo } from 'node:net';
import { noAuth } from '../../../runtime/auth/types.js';
import { silentLogger, type Logger } from '../../../runtime/logger.js';
import { createBrokerClient } from '../broker-client.js';
import { createClusterModel, type ClusterModel, type LiveClusterModel } from '../cluster/cluster-model.js';
import type { FlowEvaluation } from '../../../policy/types.js';
import { parseDuration } from '../../../runtime/duration.js';
import { createEvaluatorApp } from '../http/app.js';
import { startLeaderDuties, type LeaderDuties } from '../leader/leader-duties.js';
import { createEvaluatorMetrics, type EvaluatorMetrics } from '../metrics.js';
import { createStatusMetrics, type StatusMetrics } from '../status/status-metrics.js';

export interface ReplicaOptions {
  identity: string;
  brokerUrl: string;
  leaseNamespace: string;
  leaseDurationMs?: number;
  window?: string;
  statusIntervalMs?: number;
  eventIntervalMs?: number;
  enforcementPollMs?: number;
  logger?: Logger;
}

export interface Replica {
  identity: string;
  url: string;
  model: LiveClusterModel;
  duties: LeaderDuties;
  metrics: EvaluatorMetrics;
  statusMetrics: StatusMetrics;
  isLeader(): boolean;
  /** release=false is a crash: the lease is left to expire. */
  stop(release?: boolean): Promise<void>;
}

export async function startReplica(kc: KubeConfig, o: ReplicaOptions): Promise<Replica> {
  const logger = o.logger ?? silentLogger;
  const metrics = createEvaluatorMetrics();
  const statusMetrics = createStatusMetrics(metrics.registry);
  const model = createClusterModel(kc, { logger, observer: metrics.watch });
  await model.start();
  const app = createEvaluatorApp({ model, auth: noAuth, metrics, logger });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
      resolve(s);
    });
  });
  const port = (server.address() as AddressInfo).port;
  const windowText = o.window ?? '1h';
  const duties = startLeaderDuties(kc, {
    model,
    broker: createBrokerClient({ baseUrl: o.brokerUrl, attempts: 2 }),
    identity: o.identity,
    lease: { namespace: o.leaseNamespace, name: 'kguardian-evaluator', durationMs: o.leaseDurationMs ?? 3000, retryMs: 200 },
    window: { text: windowText, ms: parseDuration(windowText) ?? 3_600_000 },
    statusIntervalMs: o.statusIntervalMs ?? 500,
    logger,
    metrics: statusMetrics,
    tuning: { tickMs: 100, pollMs: 100 },
    eventIntervalMs: o.eventIntervalMs,
    enforcementPollMs: o.enforcementPollMs,
  });
  return {
    identity: o.identity,
    url: `http://127.0.0.1:${port}`,
    model,
    duties,
    metrics,
    statusMetrics,
    isLeader: () => duties.elector.isLeader(),
    async stop(release = true): Promise<void> {
      await duties.stop(release);
      await model.stop();
      await new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

export interface End {
  ip: string;
  namespace?: string;
  pod?: string;
}

export interface FlowSpec {
  src: End;
  dst: End;
  port: number;
  direction?: 'Ingress' | 'Egress';
  /** Default TCP. */
  protocol?: 'TCP' | 'UDP';
  /** Default established (TCP), seen (UDP). */
  state?: 'established' | 'attempt' | 'refused' | 'seen';
  count?: number;
  at?: Date;
}

let batchSeq = 0;

/** Posts one batch of observations to the broker's POST /v1/flows; throws unless it is accepted. */
export async function postFlows(brokerUrl: string, flows: FlowSpec[]): Promise<void> {
  const end = (e: End, port: number): Record<string, unknown> => ({ ip: e.ip, port, kind: e.pod ? 'pod' : 'unknown', namespace: e.namespace, pod: e.pod });
  const body = {
    batchId: `e2e-${process.pid}-${Date.now()}-${batchSeq++}`,
    node: 'kg-node',
    flows: flows.map((f) => {
      const at = (f.at ?? new Date()).toISOString();
      return {
        src: end(f.src, 40000 + (batchSeq % 1000)), dst: end(f.dst, f.port), protocol: f.protocol ?? 'TCP', direction: f.direction ?? 'Ingress',
        state: f.state ?? (f.protocol === 'UDP' ? 'seen' : 'established'), firstSeen: at, lastSeen: at, count: f.count ?? 1, node: 'kg-node',
      };
    }),
  };
  const res = await fetch(`${brokerUrl}/v1/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`POST /v1/flows answered ${res.status}: ${await res.text()}`);
}

/**
 * What a replica's model judges now for one flow stamped now: what the broker would get if the flow
 * came in at this moment (asked of the model itself, so the replica's request metrics count only
 * the broker's calls). Objects a test creates reach the model through its watches some time later;
 * a test waits on this judgement, not on a sleep, before sending flows that need them.
 */
export function judgedNow(model: ClusterModel, f: Omit<FlowSpec, 'state' | 'count' | 'at'>): FlowEvaluation {
  const direction = f.direction ?? 'Ingress';
  const outcome = model.evaluate([{ id: 1, observedAt: new Date().toISOString(), count: 1, direction, flow: { src: f.src, dst: f.dst, protocol: 'TCP', port: f.port } }]);
  const result = outcome.status === 'ok' ? outcome.results[0] : undefined;
  if (!result) throw new Error(`the model judged nothing (${outcome.status})`);
  return result.evaluation;
}

/**
 * Waits until the model holds each pod at its address (a flow from the address alone resolves to
 * it). Watches of different kinds are not ordered with each other: a model that already holds a
 * policy may not hold a pod created before it yet, and the broker keeps the answer it gets for a
 * flow. So a test that created pods after the replica started waits on this before sending flows
 * about them.
 */
export async function untilPodsHeld(model: ClusterModel, pods: readonly End[]): Promise<void> {
  for (const p of pods) {
    await eventually(`the model holds ${p.namespace ?? ''}/${p.pod ?? ''} at ${p.ip}`, () =>
      Promise.resolve(judgedNow(model, { src: { ip: p.ip }, dst: { ip: '192.0.2.1' }, port: 9 }).src?.pod === p.pod ? true : undefined));
  }
}

/** Parses a kubectl table into rows keyed by header, using the header's column offsets (cells may be blank). */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (header === undefined) return [];
  const cols: { name: string; start: number }[] = [];
  for (const m of header.matchAll(/\S+/g)) cols.push({ name: m[0], start: m.index });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    cols.forEach((c, i) => {
      row[c.name] = line.slice(c.start, cols[i + 1]?.start ?? line.length).trim();
    });
    return row;
  });
}

/** Polls `f` until it returns a value (not undefined) or the deadline passes; the last error is in the message. */
export async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 45_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface EvaluatorProxy {
  url: string;
  /** Where requests go now (an evaluator replica's URL). */
  target: string;
  close(): Promise<void>;
}

/**
 * A forwarding proxy standing in for the evaluator's Service: the broker is started once with
 * its URL, and a test points it at whichever replica should answer (as kube-proxy would after
 * a pod dies).
 */
export async function startEvaluatorProxy(target: string): Promise<EvaluatorProxy> {
  const { createServer } = await import('node:http');
  const proxy = { target } as EvaluatorProxy;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      fetch(`${proxy.target}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) })
        .then(async (r) => {
          res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => res.writeHead(503).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return proxy;
}
