/**
 * The byte layout of the records kg-loader writes to stdout, mirrored from bpf/flow_record.h.
 * One table per C struct: field name, byte offset, byte size. The decoder reads through these
 * tables only, and record-btf.kernel.test.ts compares them with the BTF of the compiled object,
 * so a change on either side that is not made on both fails a test instead of corrupting flows.
 * Integers are little-endian (the host order of every platform we ship for); addresses are
 * network-order byte arrays.
 */

/** KG_RECORD_VERSION: records with another version are refused, not guessed at. Adding a record
 * type keeps it (readers skip unknown types by size); changing an existing layout bumps it. */
export const RECORD_VERSION = 1;

/** enum kg_record_type */
export const RecordType = { tcp: 1, udpNew: 2, udpCount: 3, counters: 4, nat: 5, conntrack: 6 } as const;

/** enum kg_direction */
export const Direction = { egress: 1, ingress: 2 } as const;

/** enum kg_state */
export const State = { established: 1, attempt: 2, refused: 3, seen: 4 } as const;

export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

/** struct kg_record_header */
export const HEADER_LAYOUT = {
  size: 8,
  fields: {
    version: { offset: 0, size: 2 },
    type: { offset: 2, size: 2 },
    size: { offset: 4, size: 2 },
    _pad0: { offset: 6, size: 2 },
  },
} as const;

/** struct kg_flow_record */
export const FLOW_LAYOUT = {
  size: 104,
  fields: {
    hdr: { offset: 0, size: 8 },
    family: { offset: 8, size: 1 },
    protocol: { offset: 9, size: 1 },
    direction: { offset: 10, size: 1 },
    state: { offset: 11, size: 1 },
    local_port: { offset: 12, size: 2 },
    remote_port: { offset: 14, size: 2 },
    netns: { offset: 16, size: 4 },
    _pad1: { offset: 20, size: 4 },
    first_ns: { offset: 24, size: 8 },
    last_ns: { offset: 32, size: 8 },
    tx_packets: { offset: 40, size: 8 },
    rx_packets: { offset: 48, size: 8 },
    tx_bytes: { offset: 56, size: 8 },
    rx_bytes: { offset: 64, size: 8 },
    local_addr: { offset: 72, size: 16 },
    remote_addr: { offset: 88, size: 16 },
  },
} as const;

/** struct kg_counters_record */
export const COUNTERS_LAYOUT = {
  size: 64,
  fields: {
    hdr: { offset: 0, size: 8 },
    time_ns: { offset: 8, size: 8 },
    ringbuf_drops: { offset: 16, size: 8 },
    udp_inserts: { offset: 24, size: 8 },
    udp_map_errors: { offset: 32, size: 8 },
    udp_unparsed: { offset: 40, size: 8 },
    udp_evictions: { offset: 48, size: 8 },
    udp_live_flows: { offset: 56, size: 8 },
  },
} as const;

/** struct kg_nat_record */
export const NAT_LAYOUT = {
  size: 64,
  fields: {
    hdr: { offset: 0, size: 8 },
    family: { offset: 8, size: 1 },
    protocol: { offset: 9, size: 1 },
    client_port: { offset: 10, size: 2 },
    service_port: { offset: 12, size: 2 },
    backend_port: { offset: 14, size: 2 },
    client_addr: { offset: 16, size: 16 },
    service_addr: { offset: 32, size: 16 },
    backend_addr: { offset: 48, size: 16 },
  },
} as const;

/** struct kg_conntrack_record */
export const CONNTRACK_LAYOUT = {
  size: 64,
  fields: {
    hdr: { offset: 0, size: 8 },
    time_ns: { offset: 8, size: 8 },
    lookups: { offset: 16, size: 8 },
    hits: { offset: 24, size: 8 },
    misses: { offset: 32, size: 8 },
    errors: { offset: 40, size: 8 },
    pending: { offset: 48, size: 8 },
    available: { offset: 56, size: 8 },
  },
} as const;

/** The C struct name each layout mirrors, for the BTF comparison. */
export const LAYOUTS_BY_STRUCT: Readonly<Record<string, { size: number; fields: Readonly<Record<string, FieldLayout>> }>> = {
  kg_record_header: HEADER_LAYOUT,
  kg_flow_record: FLOW_LAYOUT,
  kg_counters_record: COUNTERS_LAYOUT,
  kg_nat_record: NAT_LAYOUT,
  kg_conntrack_record: CONNTRACK_LAYOUT,
};
