/**
 * Decodes kg-loader's stdout: a byte stream of framed binary records (bpf/flow_record.h) arriving
 * in arbitrary chunks. The decoder keeps the tail of a chunk until the rest of its record arrives,
 * refuses a record version it does not know (the loader and agent ship together, so a mismatch is
 * a build error, not something to limp through), and skips record types it does not know by size.
 */
import { CONNTRACK_LAYOUT, COUNTERS_LAYOUT, Direction, FLOW_LAYOUT, HEADER_LAYOUT, NAT_LAYOUT, RECORD_VERSION, RecordType, State } from './record-layout.js';

export type RecordDirection = 'egress' | 'ingress';
export type RecordState = 'established' | 'attempt' | 'refused' | 'seen';

/** One flow as seen from a local socket (struct kg_flow_record). Times are Unix epoch ns as
 * numbers (a double keeps them to within 256 ns, far below what a flow needs); counters are exact
 * up to 2^53. Numbers, not BigInts: this is the agent's hot path. */
export interface FlowRecord {
  kind: 'tcp' | 'udpNew' | 'udpCount';
  family: 4 | 6;
  protocol: 'TCP' | 'UDP';
  direction: RecordDirection;
  state: RecordState;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  netns: number;
  firstNs: number;
  lastNs: number;
  txPackets: number;
  rxPackets: number;
  txBytes: number;
  rxBytes: number;
}

/** Loss and health counters (struct kg_counters_record). */
export interface CountersRecord {
  kind: 'counters';
  timeNs: number;
  ringbufDrops: number;
  udpInserts: number;
  udpMapErrors: number;
  udpUnparsed: number;
  udpEvictions: number;
  udpLiveFlows: number;
}

/** A Service address translated to the backend really reached, from the host's conntrack table
 * (struct kg_nat_record): the flow of (protocol, client, service) goes to the backend. */
export interface NatRecord {
  kind: 'nat';
  family: 4 | 6;
  protocol: 'TCP' | 'UDP';
  clientIp: string;
  clientPort: number;
  serviceIp: string;
  servicePort: number;
  backendIp: string;
  backendPort: number;
}

/** kg-loader's conntrack lookup totals (struct kg_conntrack_record); only with --service-cidr. */
export interface ConntrackRecord {
  kind: 'conntrack';
  timeNs: number;
  lookups: number;
  hits: number;
  misses: number;
  errors: number;
  pending: number;
  available: boolean;
}

export type LoaderRecord = FlowRecord | CountersRecord | NatRecord | ConntrackRecord;

const FLOW_KINDS: ReadonlySet<LoaderRecord['kind']> = new Set(['tcp', 'udpNew', 'udpCount']);

/** True for a flow record (TCP, UDP new, UDP count), false for counters and NAT records. */
export function isFlow(rec: LoaderRecord): rec is FlowRecord {
  return FLOW_KINDS.has(rec.kind);
}

export class RecordFormatError extends Error {
  override name = 'RecordFormatError';
}

const F = FLOW_LAYOUT.fields;
const C = COUNTERS_LAYOUT.fields;
const H = HEADER_LAYOUT.fields;
const N = NAT_LAYOUT.fields;
const T = CONNTRACK_LAYOUT.fields;

/** An unsigned 64-bit little-endian integer as a number. */
function u64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 4294967296;
}

function ipv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as "::". */
function ipv6(buf: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(at + i * 2));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

const KIND_BY_TYPE = new Map<number, FlowRecord['kind']>([
  [RecordType.tcp, 'tcp'],
  [RecordType.udpNew, 'udpNew'],
  [RecordType.udpCount, 'udpCount'],
]);
const DIRECTIONS = new Map<number, RecordDirection>([
  [Direction.egress, 'egress'],
  [Direction.ingress, 'ingress'],
]);
const STATES = new Map<number, RecordState>([
  [State.established, 'established'],
  [State.attempt, 'attempt'],
  [State.refused, 'refused'],
  [State.seen, 'seen'],
]);

function lookup<T>(table: Map<number, T>, value: number, what: string): T {
  const found = table.get(value);
  if (found === undefined) throw new RecordFormatError(`unknown ${what} ${value} in a flow record`);
  return found;
}

/** Decodes one struct kg_flow_record starting at `at`. */
export function decodeFlow(buf: Buffer, at: number, type: number): FlowRecord {
  const family = buf.readUInt8(at + F.family.offset);
  if (family !== 2 && family !== 10) throw new RecordFormatError(`unknown address family ${family} in a flow record`);
  const addr = family === 2 ? ipv4 : ipv6;
  return {
    kind: lookup(KIND_BY_TYPE, type, 'record type'),
    family: family === 2 ? 4 : 6,
    protocol: buf.readUInt8(at + F.protocol.offset) === 6 ? 'TCP' : 'UDP',
    direction: lookup(DIRECTIONS, buf.readUInt8(at + F.direction.offset), 'direction'),
    state: lookup(STATES, buf.readUInt8(at + F.state.offset), 'state'),
    localIp: addr(buf, at + F.local_addr.offset),
    localPort: buf.readUInt16LE(at + F.local_port.offset),
    remoteIp: addr(buf, at + F.remote_addr.offset),
    remotePort: buf.readUInt16LE(at + F.remote_port.offset),
    netns: buf.readUInt32LE(at + F.netns.offset),
    firstNs: u64(buf, at + F.first_ns.offset),
    lastNs: u64(buf, at + F.last_ns.offset),
    txPackets: u64(buf, at + F.tx_packets.offset),
    rxPackets: u64(buf, at + F.rx_packets.offset),
    txBytes: u64(buf, at + F.tx_bytes.offset),
    rxBytes: u64(buf, at + F.rx_bytes.offset),
  };
}

/** Decodes one struct kg_counters_record starting at `at`. */
export function decodeCounters(buf: Buffer, at: number): CountersRecord {
  return {
    kind: 'counters',
    timeNs: u64(buf, at + C.time_ns.offset),
    ringbufDrops: u64(buf, at + C.ringbuf_drops.offset),
    udpInserts: u64(buf, at + C.udp_inserts.offset),
    udpMapErrors: u64(buf, at + C.udp_map_errors.offset),
    udpUnparsed: u64(buf, at + C.udp_unparsed.offset),
    udpEvictions: u64(buf, at + C.udp_evictions.offset),
    udpLiveFlows: u64(buf, at + C.udp_live_flows.offset),
  };
}

/** Decodes one struct kg_nat_record starting at `at`. */
export function decodeNat(buf: Buffer, at: number): NatRecord {
  const family = buf.readUInt8(at + N.family.offset);
  if (family !== 2 && family !== 10) throw new RecordFormatError(`unknown address family ${family} in a NAT record`);
  const addr = family === 2 ? ipv4 : ipv6;
  return {
    kind: 'nat',
    family: family === 2 ? 4 : 6,
    protocol: buf.readUInt8(at + N.protocol.offset) === 6 ? 'TCP' : 'UDP',
    clientIp: addr(buf, at + N.client_addr.offset),
    clientPort: buf.readUInt16LE(at + N.client_port.offset),
    serviceIp: addr(buf, at + N.service_addr.offset),
    servicePort: buf.readUInt16LE(at + N.service_port.offset),
    backendIp: addr(buf, at + N.backend_addr.offset),
    backendPort: buf.readUInt16LE(at + N.backend_port.offset),
  };
}

/** Decodes one struct kg_conntrack_record starting at `at`. */
export function decodeConntrack(buf: Buffer, at: number): ConntrackRecord {
  return {
    kind: 'conntrack',
    timeNs: u64(buf, at + T.time_ns.offset),
    lookups: u64(buf, at + T.lookups.offset),
    hits: u64(buf, at + T.hits.offset),
    misses: u64(buf, at + T.misses.offset),
    errors: u64(buf, at + T.errors.offset),
    pending: u64(buf, at + T.pending.offset),
    available: u64(buf, at + T.available.offset) !== 0,
  };
}

/** Streaming decoder: push chunks, get whole records back. */
export class RecordDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** Records of a type this build does not know, skipped by their size. */
  skipped = 0;

  push(chunk: Buffer): LoaderRecord[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: LoaderRecord[] = [];
    let at = 0;
    while (buf.length - at >= HEADER_LAYOUT.size) {
      const version = buf.readUInt16LE(at + H.version.offset);
      const type = buf.readUInt16LE(at + H.type.offset);
      const size = buf.readUInt16LE(at + H.size.offset);
      if (version !== RECORD_VERSION) {
        throw new RecordFormatError(`record version ${version} from kg-loader, this agent reads version ${RECORD_VERSION}`);
      }
      if (size < HEADER_LAYOUT.size) throw new RecordFormatError(`record size ${size} is smaller than its header`);
      if (buf.length - at < size) break;
      const record = this.decodeOne(buf, at, type, size);
      if (record) out.push(record);
      at += size;
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    return out;
  }

  /** Bytes held back waiting for the rest of a record. */
  get buffered(): number {
    return this.pending.length;
  }

  private decodeOne(buf: Buffer, at: number, type: number, size: number): LoaderRecord | undefined {
    if (type === RecordType.counters) {
      if (size < COUNTERS_LAYOUT.size) throw new RecordFormatError(`counters record of ${size} bytes, expected ${COUNTERS_LAYOUT.size}`);
      return decodeCounters(buf, at);
    }
    if (type === RecordType.nat) {
      if (size < NAT_LAYOUT.size) throw new RecordFormatError(`NAT record of ${size} bytes, expected ${NAT_LAYOUT.size}`);
      return decodeNat(buf, at);
    }
    if (type === RecordType.conntrack) {
      if (size < CONNTRACK_LAYOUT.size) throw new RecordFormatError(`conntrack record of ${size} bytes, expected ${CONNTRACK_LAYOUT.size}`);
      return decodeConntrack(buf, at);
    }
    if (KIND_BY_TYPE.has(type)) {
      if (size < FLOW_LAYOUT.size) throw new RecordFormatError(`flow record of ${size} bytes, expected ${FLOW_LAYOUT.size}`);
      return decodeFlow(buf, at, type);
    }
    this.skipped++;
    return undefined;
  }
}
