/**
 * Attributes flows to a Service ClusterIP to the backend pod and port really reached. The client
 * socket still names the ClusterIP (DNAT happens below it), so its outbound record needs a
 * translation, from one of two sources, keyed by the client's own address and port:
 *
 * - conntrack (NAT records from kg-loader --service-cidr): kube-proxy DNATs on the client's node,
 *   so this node's conntrack table names the backend wherever it runs, on this node or another.
 *   The translation is exact (protocol, client, Service address and port) and counts in
 *   `conntrack`.
 * - pairing with the backend's inbound record on this node, the fallback when conntrack has no
 *   answer (lookups off, DNAT without conntrack): the backend's socket sees the client's own address
 *   and port, so (protocol, client IP, client port) joins the two.
 *
 * An outbound record to a Service address with a known translation is rewritten at once; otherwise
 * it waits up to `holdMs` (the loader retries a conntrack miss for ~300 ms; a same-node backend
 * reports its inbound record on the final ACK) and is released rewritten when either arrives.
 * Still untranslated, it passes on unchanged and counts in `unpaired`. A translation is remembered
 * for the flow's later UDP count records.
 *
 * A UDP flow whose first packet came *from* a Service address is the reply half of a flow whose
 * request was DNAT-ed in this socket's own namespace (hostNetwork clients: kube-proxy's OUTPUT
 * chain), already reported with the backend's address; it is dropped (`serviceReplies`).
 */
import ipaddr from 'ipaddr.js';
import type { FlowRecord, NatRecord } from './record-decoder.js';

export interface ServicePairingOptions {
  /** Service ClusterIP ranges, e.g. ['10.96.0.0/12', 'fd00:10:96::/112']. */
  serviceCidrs: readonly string[];
  /** How long an outbound record to a Service waits for its translation (NAT or inbound record). */
  holdMs?: number;
  /** How long a translation or an inbound record is kept for pairing. */
  ttlMs?: number;
}

interface Backend {
  ip: string;
  port: number;
  atMs: number;
}

interface Held {
  rec: FlowRecord;
  atMs: number;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export class ServicePairing {
  private readonly cidrs: Cidr[];
  private readonly holdMs: number;
  private readonly ttlMs: number;
  /** Inbound records by (protocol, client ip, client port): candidates for pairing. */
  private readonly inbound = new Map<string, Backend>();
  /** Paired flows by the same key, kept while the flow is active. */
  private readonly translations = new Map<string, Backend>();
  /** Translations from conntrack, by (protocol, client ip, client port, service ip, service port). */
  private readonly fromConntrack = new Map<string, Backend>();
  private readonly held = new Map<string, Held[]>();
  /** Outbound records to a Service released unchanged: no translation within holdMs. */
  unpaired = 0;
  serviceReplies = 0;
  /** Translations learned from conntrack (distinct flows). */
  conntrack = 0;

  constructor(options: ServicePairingOptions) {
    this.cidrs = options.serviceCidrs.map((c) => ipaddr.parseCIDR(c));
    this.holdMs = options.holdMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 120_000;
  }

  isService(ip: string): boolean {
    if (this.cidrs.length === 0) return false;
    const addr = ipaddr.parse(ip);
    return this.cidrs.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }

  /** Takes one record; returns the records ready to aggregate now (possibly none, or several). */
  push(rec: FlowRecord, nowMs: number): FlowRecord[] {
    if (this.cidrs.length === 0) return [rec];
    if (rec.direction === 'ingress') {
      if (rec.protocol === 'UDP' && this.isService(rec.remoteIp)) {
        this.serviceReplies++;
        return [];
      }
      const key = `${rec.protocol}|${rec.remoteIp}|${rec.remotePort}`;
      const backend = { ip: rec.localIp, port: rec.localPort, atMs: nowMs };
      this.inbound.set(key, backend);
      const waiting = this.held.get(key);
      if (!waiting) return [rec];
      this.held.delete(key);
      this.translations.set(key, backend);
      return [rec, ...waiting.map((h) => translate(h.rec, backend))];
    }
    if (!this.isService(rec.remoteIp)) return [rec];
    const viaConntrack = this.fromConntrack.get(`${rec.protocol}|${rec.localIp}|${rec.localPort}|${rec.remoteIp}|${rec.remotePort}`);
    if (viaConntrack) {
      viaConntrack.atMs = nowMs;
      return [translate(rec, viaConntrack)];
    }
    const key = `${rec.protocol}|${rec.localIp}|${rec.localPort}`;
    const known = this.translations.get(key) ?? this.inbound.get(key);
    if (known) {
      known.atMs = nowMs;
      this.translations.set(key, known);
      return [translate(rec, known)];
    }
    const list = this.held.get(key) ?? [];
    list.push({ rec, atMs: nowMs });
    this.held.set(key, list);
    return [];
  }

  /** Takes a translation from the host's conntrack table; returns the held records it releases,
   * rewritten to the backend. */
  pushNat(nat: NatRecord, nowMs: number): FlowRecord[] {
    const exact = `${nat.protocol}|${nat.clientIp}|${nat.clientPort}|${nat.serviceIp}|${nat.servicePort}`;
    const backend = { ip: nat.backendIp, port: nat.backendPort, atMs: nowMs };
    const before = this.fromConntrack.get(exact);
    if (!before || before.ip !== backend.ip || before.port !== backend.port) this.conntrack++;
    this.fromConntrack.set(exact, backend);
    const key = `${nat.protocol}|${nat.clientIp}|${nat.clientPort}`;
    const waiting = this.held.get(key);
    if (!waiting) return [];
    const released: FlowRecord[] = [];
    const still: Held[] = [];
    for (const h of waiting) {
      if (h.rec.remoteIp === nat.serviceIp && h.rec.remotePort === nat.servicePort) released.push(translate(h.rec, backend));
      else still.push(h);
    }
    if (still.length > 0) this.held.set(key, still);
    else this.held.delete(key);
    return released;
  }

  /** Releases outbound records that waited longer than holdMs, unchanged, and forgets old state. */
  expire(nowMs: number, all = false): FlowRecord[] {
    const out: FlowRecord[] = [];
    for (const [key, list] of this.held) {
      const oldest = list[0]?.atMs ?? 0;
      if (!all && oldest + this.holdMs > nowMs) continue;
      this.held.delete(key);
      this.unpaired += list.length;
      out.push(...list.map((h) => h.rec));
    }
    const inboundHorizon = nowMs - 2 * this.holdMs;
    for (const [key, b] of this.inbound) if (b.atMs < inboundHorizon) this.inbound.delete(key);
    for (const [key, b] of this.translations) if (b.atMs < nowMs - this.ttlMs) this.translations.delete(key);
    for (const [key, b] of this.fromConntrack) if (b.atMs < nowMs - this.ttlMs) this.fromConntrack.delete(key);
    return out;
  }

  /** Records waiting for a pair. */
  get holding(): number {
    let n = 0;
    for (const list of this.held.values()) n += list.length;
    return n;
  }
}

function translate(rec: FlowRecord, backend: Backend): FlowRecord {
  return { ...rec, remoteIp: backend.ip, remotePort: backend.port };
}
