/**
 * The e2e suite's probe connections as kguardian recorded them, each judged by kguardian's engine
 * against the NetworkPolicies in force when it was made, and compared with what happened to it.
 *
 * A probe is `agnhost connect SERVICE_IP:PORT` run in a suite pod; kguardian's agent sees it leave
 * the client (an Egress row: the client pod, the backend pod when the Service address was
 * translated, else the Service address, the port, the protocol and, for TCP, whether it was
 * established). Rows aggregate the connections of one minute with the same ends and state, so each
 * row is judged at its first and its last observation: a row whose two judgements differ straddles
 * a policy change and is counted apart. What happened, as NetworkPolicy sees it (did the network
 * deliver the connection to the server):
 *   TCP  established = delivered; refused = delivered when the server's node saw the server refuse
 *        it (an Ingress `refused` row of the same client, server and port in the same minute: the
 *        port was closed, the server not listening yet), else blocked (an enforcer's REJECT looks
 *        the same to the client); attempt = blocked;
 *   UDP  the datagrams the server's node saw arrive (Ingress rows of the same client, server and
 *        port in the same minute): as many conversations delivered, the rest blocked.
 */
import { evaluateFlow, type FlowEvaluation, type Protocol } from '../../policy/index.js';
import type { TimelineReplay } from './timeline.js';

/** A row of the broker's `GET /v1/flows`, as much of it as is read here. */
export interface FlowRow {
  id: number;
  firstSeen: string;
  lastSeen: string;
  src: { ip: string; namespace?: string; pod?: string };
  dst: { ip: string; port: number; namespace?: string; pod?: string };
  protocol: Protocol;
  direction: 'Ingress' | 'Egress';
  state: 'established' | 'attempt' | 'refused' | 'seen';
  count: number;
}

/** The probes the suite makes: which namespaces are its own, and which ports and protocols it probes. */
export interface ProbeScope {
  namespaces: ReadonlySet<string>;
  ports: ReadonlySet<number>;
  protocols: ReadonlySet<Protocol>;
}

export type Outcome = 'connected' | 'blocked';
export type Judgement = 'allowed' | 'denied';

/**
 * Why a judgement and an outcome differ, when they do:
 *   delay   the enforcer had not applied the policies of the moment yet: a later connection of the
 *           same client, server, port and protocol, under the same policies (no change in between),
 *           agrees. The suite retries a probe whose result it did not expect, so such connections
 *           are what its retries are for;
 *   other   the disagreement lasted as long as the policies did: listed in the report.
 */
export type Disagreement = 'delay' | 'other';

export interface JudgedConnections {
  row: FlowRow;
  /** The pod the connection reached (or was meant to reach, through its Service). */
  server: { namespace: string; pod: string };
  judgement: Judgement;
  /** Connections of the row that connected, and that did not. */
  connected: number;
  blocked: number;
  /** Connections whose outcome differs from the judgement, and why. */
  disagreeing: number;
  why?: Disagreement;
  /** A pod probing its own Service: NetworkPolicy does not apply, and the suite ignores these too. */
  loopback: boolean;
  /** kguardian's reasons (the NetworkPolicy verdicts that decided), for the report. */
  reasons: string[];
}

export interface Unjudged {
  row: FlowRow;
  reason: string;
}

export interface ProbeComparison {
  judged: JudgedConnections[];
  unjudged: Unjudged[];
}

export interface AgreementSummary {
  /** Probe connections judged (loopback excluded). */
  connections: number;
  agree: number;
  disagreeDelay: number;
  disagreeOther: number;
  /** Rows whose first and last observation fall under different policies (their connections are not in `connections`). */
  straddling: number;
  /** Rows that could not be judged (no known backend, an end without identity). */
  unjudged: number;
  loopback: { connections: number; agree: number };
}

function minute(iso: string): number {
  return Math.floor(Date.parse(iso) / 60_000);
}

function isProbe(row: FlowRow, scope: ProbeScope): boolean {
  return row.src.namespace !== undefined && scope.namespaces.has(row.src.namespace) &&
    scope.ports.has(row.dst.port) && scope.protocols.has(row.protocol);
}

/** The server a probe row reached: its stamped pod, else the backend of the Service it addressed. */
function serverOf(row: FlowRow, replay: TimelineReplay): { namespace: string; pod: string; ip: string } | string {
  if (row.dst.namespace !== undefined && row.dst.pod !== undefined) return { namespace: row.dst.namespace, pod: row.dst.pod, ip: row.dst.ip };
  const svc = replay.serviceByIp(row.dst.ip);
  if (!svc) return `${row.dst.ip} is neither a pod kguardian named nor a Service's address`;
  const backends = replay.backends(svc);
  if (backends.length !== 1) return `Service ${svc.namespace}/${svc.name} had ${backends.length} backends (the suite's have one)`;
  return backends[0]!;
}

function judge(replay: TimelineReplay, row: FlowRow, at: number): { judgement: Judgement; server: { namespace: string; pod: string }; evaluation: FlowEvaluation } | string {
  replay.advanceTo(at);
  const server = serverOf(row, replay);
  if (typeof server === 'string') return server;
  const evaluation = evaluateFlow(replay.state, {
    src: { ip: row.src.ip, ...(row.src.namespace ? { namespace: row.src.namespace } : {}), ...(row.src.pod ? { pod: row.src.pod } : {}) },
    dst: { ip: server.ip, namespace: server.namespace, pod: server.pod },
    protocol: row.protocol,
    port: row.dst.port,
  });
  return { judgement: evaluation.enforced.allowed ? 'allowed' : 'denied', server: { namespace: server.namespace, pod: server.pod }, evaluation };
}

/**
 * What the server side saw arrive, per protocol, client IP, server pod, port and minute: UDP
 * conversations, and TCP connections the server refused.
 */
function arrivals(rows: readonly FlowRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.direction !== 'Ingress' || !r.dst.namespace || !r.dst.pod) continue;
    if (r.protocol === 'TCP' && r.state !== 'refused') continue;
    const k = `${r.protocol}|${r.src.ip}|${r.dst.namespace}/${r.dst.pod}|${r.dst.port}|${minute(r.firstSeen)}`;
    out.set(k, (out.get(k) ?? 0) + r.count);
  }
  return out;
}

/** Disagreements a later agreeing connection of the same pair under the same policies shows to be the enforcer's delay. */
function classify(judged: JudgedConnections[], epochs: Map<JudgedConnections, number | undefined>): void {
  const pair = (j: JudgedConnections): string => `${j.row.src.namespace}/${j.row.src.pod}|${j.server.namespace}/${j.server.pod}|${j.row.dst.port}|${j.row.protocol}`;
  const groups = new Map<string, JudgedConnections[]>();
  for (const j of judged) groups.set(pair(j), [...(groups.get(pair(j)) ?? []), j]);
  for (const j of judged) {
    if (j.disagreeing === 0) continue;
    const later = groups.get(pair(j))!.some((k) => k !== j && k.disagreeing === 0 && k.judgement === j.judgement &&
      epochs.get(k) === epochs.get(j) && Date.parse(k.row.lastSeen) >= Date.parse(j.row.firstSeen));
    j.why = later ? 'delay' : 'other';
  }
}

/**
 * Judges every probe row of `rows` (all the broker's rows of the run): the Egress rows of the
 * suite's pods to its ports.
 */
export function compareProbes(rows: readonly FlowRow[], replay: TimelineReplay, scope: ProbeScope): ProbeComparison {
  const probes = rows.filter((r) => r.direction === 'Egress' && isProbe(r, scope));
  // The replay moves forward only: every row is judged at its first and last moment, in time order.
  const moments = probes.flatMap((row, i) => [
    { at: Date.parse(row.firstSeen), i, end: 'first' as const },
    { at: Date.parse(row.lastSeen), i, end: 'last' as const },
  ]).sort((a, b) => a.at - b.at || a.i - b.i);
  const first = new Map<number, ReturnType<typeof judge>>();
  const last = new Map<number, ReturnType<typeof judge>>();
  for (const m of moments) (m.end === 'first' ? first : last).set(m.i, judge(replay, probes[m.i]!, m.at));
  const epochs = new Map<JudgedConnections, number | undefined>();

  const serverSide = arrivals(rows);
  const judged: JudgedConnections[] = [];
  const unjudged: Unjudged[] = [];
  probes.forEach((row, i) => {
    const a = first.get(i)!;
    const b = last.get(i)!;
    if (typeof a === 'string' || typeof b === 'string') {
      unjudged.push({ row, reason: typeof a === 'string' ? a : b as string });
      return;
    }
    if (a.judgement !== b.judgement) {
      unjudged.push({ row, reason: `straddles a policy change: ${a.judgement} at ${row.firstSeen}, ${b.judgement} at ${row.lastSeen}` });
      return;
    }
    let connected: number;
    if (row.protocol === 'UDP' || row.state === 'refused') {
      const k = `${row.protocol}|${row.src.ip}|${a.server.namespace}/${a.server.pod}|${row.dst.port}|${minute(row.firstSeen)}`;
      const seen = serverSide.get(k) ?? 0;
      connected = Math.min(seen, row.count);
      // Arrivals are shared by the rows of that key (a translated and an untranslated one): each takes its part once.
      serverSide.set(k, seen - connected);
    } else {
      connected = row.state === 'established' ? row.count : 0;
    }
    const blocked = row.count - connected;
    const disagreeing = a.judgement === 'allowed' ? blocked : connected;
    const loopback = row.src.namespace === a.server.namespace && row.src.pod === a.server.pod;
    const j: JudgedConnections = {
      row, server: a.server, judgement: a.judgement, connected, blocked, disagreeing, loopback,
      reasons: a.evaluation.verdicts.filter((v) => v.kind === 'NetworkPolicy').map((v) => `${v.direction} ${v.policy}: ${v.verdict} (${v.reason})`),
    };
    epochs.set(j, replay.lastChangeBefore(Date.parse(row.firstSeen)));
    judged.push(j);
  });
  classify(judged, epochs);
  return { judged, unjudged };
}

export function summarise(c: ProbeComparison): AgreementSummary {
  const s: AgreementSummary = {
    connections: 0, agree: 0, disagreeDelay: 0, disagreeOther: 0,
    straddling: c.unjudged.filter((u) => u.reason.startsWith('straddles')).length,
    unjudged: c.unjudged.filter((u) => !u.reason.startsWith('straddles')).length,
    loopback: { connections: 0, agree: 0 },
  };
  for (const j of c.judged) {
    const n = j.connected + j.blocked;
    if (j.loopback) {
      s.loopback.connections += n;
      s.loopback.agree += n - j.disagreeing;
      continue;
    }
    s.connections += n;
    s.agree += n - j.disagreeing;
    if (j.why === 'delay') s.disagreeDelay += j.disagreeing;
    if (j.why === 'other') s.disagreeOther += j.disagreeing;
  }
  return s;
}
