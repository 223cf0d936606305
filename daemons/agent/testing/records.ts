/**
 * Test helpers: encode records exactly as kg-loader writes them (through the same layout tables
 * the decoder reads), so decoder and aggregator tests start from bytes, not from objects.
 */
import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { CONNTRACK_LAYOUT, COUNTERS_LAYOUT, Direction, FLOW_LAYOUT, HEADER_LAYOUT, NAT_LAYOUT, RECORD_VERSION, RecordType, State } from '../record-layout.js';
import type { ConntrackRecord, CountersRecord, FlowRecord, LoaderRecord, NatRecord } from '../record-decoder.js';

const F = FLOW_LAYOUT.fields;
const C = COUNTERS_LAYOUT.fields;
const N = NAT_LAYOUT.fields;
const T = CONNTRACK_LAYOUT.fields;

function header(buf: Buffer, type: number, size: number): void {
  buf.writeUInt16LE(RECORD_VERSION, HEADER_LAYOUT.fields.version.offset);
  buf.writeUInt16LE(type, HEADER_LAYOUT.fields.type.offset);
  buf.writeUInt16LE(size, HEADER_LAYOUT.fields.size.offset);
}

export function encodeFlow(r: FlowRecord): Buffer {
  const buf = Buffer.alloc(FLOW_LAYOUT.size);
  header(buf, RecordType[r.kind], FLOW_LAYOUT.size);
  buf.writeUInt8(r.family === 4 ? 2 : 10, F.family.offset);
  buf.writeUInt8(r.protocol === 'TCP' ? 6 : 17, F.protocol.offset);
  buf.writeUInt8(Direction[r.direction], F.direction.offset);
  buf.writeUInt8(State[r.state], F.state.offset);
  buf.writeUInt16LE(r.localPort, F.local_port.offset);
  buf.writeUInt16LE(r.remotePort, F.remote_port.offset);
  buf.writeUInt32LE(r.netns, F.netns.offset);
  buf.writeBigUInt64LE(BigInt(r.firstNs), F.first_ns.offset);
  buf.writeBigUInt64LE(BigInt(r.lastNs), F.last_ns.offset);
  buf.writeBigUInt64LE(BigInt(r.txPackets), F.tx_packets.offset);
  buf.writeBigUInt64LE(BigInt(r.rxPackets), F.rx_packets.offset);
  buf.writeBigUInt64LE(BigInt(r.txBytes), F.tx_bytes.offset);
  buf.writeBigUInt64LE(BigInt(r.rxBytes), F.rx_bytes.offset);
  Buffer.from(ipaddr.parse(r.localIp).toByteArray()).copy(buf, F.local_addr.offset);
  Buffer.from(ipaddr.parse(r.remoteIp).toByteArray()).copy(buf, F.remote_addr.offset);
  return buf;
}

export function encodeCounters(r: CountersRecord): Buffer {
  const buf = Buffer.alloc(COUNTERS_LAYOUT.size);
  header(buf, RecordType.counters, COUNTERS_LAYOUT.size);
  buf.writeBigUInt64LE(BigInt(r.timeNs), C.time_ns.offset);
  buf.writeBigUInt64LE(BigInt(r.ringbufDrops), C.ringbuf_drops.offset);
  buf.writeBigUInt64LE(BigInt(r.udpInserts), C.udp_inserts.offset);
  buf.writeBigUInt64LE(BigInt(r.udpMapErrors), C.udp_map_errors.offset);
  buf.writeBigUInt64LE(BigInt(r.udpUnparsed), C.udp_unparsed.offset);
  buf.writeBigUInt64LE(BigInt(r.udpEvictions), C.udp_evictions.offset);
  buf.writeBigUInt64LE(BigInt(r.udpLiveFlows), C.udp_live_flows.offset);
  return buf;
}

export function encodeNat(r: NatRecord): Buffer {
  const buf = Buffer.alloc(NAT_LAYOUT.size);
  header(buf, RecordType.nat, NAT_LAYOUT.size);
  buf.writeUInt8(r.family === 4 ? 2 : 10, N.family.offset);
  buf.writeUInt8(r.protocol === 'TCP' ? 6 : 17, N.protocol.offset);
  buf.writeUInt16LE(r.clientPort, N.client_port.offset);
  buf.writeUInt16LE(r.servicePort, N.service_port.offset);
  buf.writeUInt16LE(r.backendPort, N.backend_port.offset);
  Buffer.from(ipaddr.parse(r.clientIp).toByteArray()).copy(buf, N.client_addr.offset);
  Buffer.from(ipaddr.parse(r.serviceIp).toByteArray()).copy(buf, N.service_addr.offset);
  Buffer.from(ipaddr.parse(r.backendIp).toByteArray()).copy(buf, N.backend_addr.offset);
  return buf;
}

export function encodeConntrack(r: ConntrackRecord): Buffer {
  const buf = Buffer.alloc(CONNTRACK_LAYOUT.size);
  header(buf, RecordType.conntrack, CONNTRACK_LAYOUT.size);
  buf.writeBigUInt64LE(BigInt(r.timeNs), T.time_ns.offset);
  buf.writeBigUInt64LE(BigInt(r.lookups), T.lookups.offset);
  buf.writeBigUInt64LE(BigInt(r.hits), T.hits.offset);
  buf.writeBigUInt64LE(BigInt(r.misses), T.misses.offset);
  buf.writeBigUInt64LE(BigInt(r.errors), T.errors.offset);
  buf.writeBigUInt64LE(BigInt(r.pending), T.pending.offset);
  buf.writeBigUInt64LE(r.available ? 1n : 0n, T.available.offset);
  return buf;
}

/** A NAT record (client -> Service translated to a backend) with defaults. */
export function natRecord(over: Partial<NatRecord> = {}): NatRecord {
  const clientIp = over.clientIp ?? '10.250.0.2';
  return {
    kind: 'nat',
    family: isIPv4(clientIp) ? 4 : 6,
    protocol: 'TCP',
    clientIp,
    clientPort: 40000,
    serviceIp: '10.96.0.10',
    servicePort: 80,
    backendIp: '10.250.1.3',
    backendPort: 8080,
    ...over,
  };
}

export function conntrackRecord(over: Partial<ConntrackRecord> = {}): ConntrackRecord {
  return { kind: 'conntrack', timeNs: 1.7e18, lookups: 0, hits: 0, misses: 0, errors: 0, pending: 0, available: true, ...over };
}

/** Any record as kg-loader writes it. */
export function encodeRecord(r: LoaderRecord): Buffer {
  switch (r.kind) {
    case 'counters':
      return encodeCounters(r);
    case 'nat':
      return encodeNat(r);
    case 'conntrack':
      return encodeConntrack(r);
    default:
      return encodeFlow(r);
  }
}

/** A TCP or UDP flow record with defaults; override what the test is about. */
export function flowRecord(over: Partial<FlowRecord> = {}): FlowRecord {
  const localIp = over.localIp ?? '10.250.0.2';
  return {
    kind: 'tcp',
    family: isIPv4(localIp) ? 4 : 6,
    protocol: 'TCP',
    direction: 'egress',
    state: 'established',
    localIp,
    localPort: 40000,
    remoteIp: '10.250.0.3',
    remotePort: 8080,
    netns: 4026532000,
    firstNs: 1.7e18,
    lastNs: 1.7e18,
    txPackets: 0,
    rxPackets: 0,
    txBytes: 0,
    rxBytes: 0,
    ...over,
  };
}

export function countersRecord(over: Partial<CountersRecord> = {}): CountersRecord {
  return {
    kind: 'counters',
    timeNs: 1.7e18,
    ringbufDrops: 0,
    udpInserts: 0,
    udpMapErrors: 0,
    udpUnparsed: 0,
    udpEvictions: 0,
    udpLiveFlows: 0,
    ...over,
  };
}
