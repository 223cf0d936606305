/**
 * Attributes flows to a Service ClusterIP to the backend pod and port really reached, by pairing
 * the client's outbound record with the backend's inbound record on this node: the client socket
 * still names the ClusterIP (DNAT happens below it), but the backend's socket sees the client's
 * own address and port, so (protocol, client IP, client port) joins the two.
 *
 * - An outbound record to a Service address waits up to `holdMs` for its pair (the client
 *   usually reports first: it is established on the SYN-ACK, the server on the final ACK). Paired,
 *   it is rewritten to the backend and the translation is remembered for the flow's later UDP
 *   count records. Unpaired (the backend is on another node), it passes on unchanged and counts
 *   in `unpaired`; the broker sees the backend's inbound record from that node.
 * - A UDP flow whose first packet came *from* a Service address is the reply half of a flow
 *   whose request was DNAT-ed in this socket's own namespace (hostNetwork clients: kube-proxy's
 *   OUTPUT chain), already reported with the backend's address; it is dropped (`serviceReplies`).
 */
import ipaddr from 'ipaddr.js';
import type { FlowRecord } from './record-decoder.js';

export interface ServicePairingOptions {
  /** Service ClusterIP ranges, e.g. ['10.96.0.0/12', 'fd00:10:96::/112']. */
  serviceCidrs: readonly string[];
  /** How long an outbound record to a Service waits for the backend's inbound record. */
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
  private readonly held = new Map<string, Held[]>();
  unpaired = 0;
  serviceReplies = 0;

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
