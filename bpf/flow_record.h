/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flow_record.h: the one definition of the records that travel from the kernel programs
 * (flow.bpf.c) through the loader (kg-loader, stdout) to the TypeScript agent
 * (daemons/agent/record-decoder.ts). A test reads this object's BTF and fails if the decoder's
 * sizes or offsets drift from these structs, so change both together and bump KG_RECORD_VERSION.
 * Adding a record type does not bump it: a reader skips types it does not know by their size, so
 * only a change to an existing layout or meaning needs a new version.
 *
 * Framing on the loader's stdout: records are written back to back; each starts with a
 * struct kg_record_header whose `size` is the whole record's length in bytes.
 *
 * Byte order: every integer field is in the host's byte order (little-endian on x86-64 and
 * arm64; the agent reads the machine it runs on). Ports are host order numbers. Addresses are
 * byte arrays in network order: IPv4 in the first 4 bytes (the rest zero), IPv6 in all 16.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are reported as IPv4.
 *
 * Times: the kernel writes CLOCK_MONOTONIC nanoseconds; the loader rewrites them to Unix epoch
 * nanoseconds (CLOCK_REALTIME) before writing to stdout, so on the wire they are wall clock.
 */
#ifndef KG_FLOW_RECORD_H
#define KG_FLOW_RECORD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define KG_RECORD_VERSION 1

enum kg_record_type {
	KG_REC_TCP = 1,       /* one TCP state change worth reporting (kernel, ring buffer) */
	KG_REC_UDP_NEW = 2,   /* first packet of a UDP flow (kernel, ring buffer) */
	KG_REC_UDP_COUNT = 3, /* cumulative counts of a UDP flow that saw packets since the last sweep (loader) */
	KG_REC_COUNTERS = 4,  /* loss and health counters (loader, after attach and then every sweep) */
	KG_REC_NAT = 5,       /* a Service address translated to its backend, from conntrack (loader) */
	KG_REC_CONNTRACK = 6, /* conntrack lookup counters (loader, with every KG_REC_COUNTERS, only with --service-cidr) */
};

/* Which end initiated, as seen by the local socket: Egress = the local socket connected out
 * (TCP) or sent the first packet (UDP); Ingress = the remote end did. */
enum kg_direction {
	KG_DIR_EGRESS = 1,
	KG_DIR_INGRESS = 2,
};

enum kg_state {
	KG_STATE_ESTABLISHED = 1, /* TCP handshake completed */
	KG_STATE_ATTEMPT = 2,     /* TCP handshake abandoned: timeout, unreachable, or closed early */
	KG_STATE_REFUSED = 3,     /* TCP SYN answered by RST (ECONNREFUSED) */
	KG_STATE_SEEN = 4,        /* UDP packets seen */
};

struct kg_record_header {
	__u16 version; /* KG_RECORD_VERSION, first so a reader can refuse what it does not know */
	__u16 type;    /* enum kg_record_type */
	__u16 size;    /* whole record in bytes, header included */
	__u16 _pad0;
};

/* A flow as seen from one local socket. 104 bytes. */
struct kg_flow_record {
	struct kg_record_header hdr; /* 0 */
	__u8 family;                 /* 8: AF_INET (2) or AF_INET6 (10) */
	__u8 protocol;               /* 9: IPPROTO_TCP (6) or IPPROTO_UDP (17) */
	__u8 direction;              /* 10: enum kg_direction */
	__u8 state;                  /* 11: enum kg_state */
	__u16 local_port;            /* 12 */
	__u16 remote_port;           /* 14 */
	__u32 netns;                 /* 16: network namespace inode of the socket; 0 when unknown (UDP) */
	__u32 _pad1;                 /* 20 */
	__u64 first_ns;              /* 24 */
	__u64 last_ns;               /* 32 */
	__u64 tx_packets;            /* 40: UDP, cumulative, local to remote; 0 for TCP */
	__u64 rx_packets;            /* 48: UDP, cumulative, remote to local; 0 for TCP */
	__u64 tx_bytes;              /* 56: IP bytes, same rules */
	__u64 rx_bytes;              /* 64 */
	__u8 local_addr[16];         /* 72 */
	__u8 remote_addr[16];        /* 88 */
};

/* Indexes of the kernel's per-CPU counters (map kg_counters). */
enum kg_counter {
	KG_CNT_RINGBUF_DROP = 0,  /* ring buffer reservation failed: a record was lost */
	KG_CNT_UDP_INSERT = 1,    /* new UDP flows inserted into kg_udp_flows */
	KG_CNT_UDP_MAP_ERROR = 2, /* inserting a UDP flow failed for another reason than a race */
	KG_CNT_UDP_UNPARSED = 3,  /* UDP packets whose headers could not be read (fragments, ext headers) */
	KG_CNT_MAX = 4,
};

/* Loss and health, summed over CPUs by the loader. 64 bytes. */
struct kg_counters_record {
	struct kg_record_header hdr; /* 0 */
	__u64 time_ns;               /* 8: when the loader read them, Unix epoch ns */
	__u64 ringbuf_drops;         /* 16: KG_CNT_RINGBUF_DROP */
	__u64 udp_inserts;           /* 24: KG_CNT_UDP_INSERT */
	__u64 udp_map_errors;        /* 32: KG_CNT_UDP_MAP_ERROR */
	__u64 udp_unparsed;          /* 40: KG_CNT_UDP_UNPARSED */
	__u64 udp_evictions;         /* 48: LRU evictions, inserts - deleted - live (lower bound, monotonic) */
	__u64 udp_live_flows;        /* 56: entries in kg_udp_flows at the last sweep */
};

/* What the host's conntrack table says an outbound connection to a Service address (inside a
 * --service-cidr) really reached: kube-proxy DNATs on the client's node, so the reply tuple's
 * source is the backend wherever it runs. Written by the loader before the flow record when the
 * lookup succeeds at once, or later (up to ~300 ms) when the packet had not reached the host's
 * PREROUTING yet; the agent rewrites every flow of (protocol, client addr, client port, service
 * addr, service port) to the backend. Only written when the backend differs from the service.
 * 64 bytes. */
struct kg_nat_record {
	struct kg_record_header hdr; /* 0 */
	__u8 family;                 /* 8: AF_INET (2) or AF_INET6 (10) */
	__u8 protocol;               /* 9: IPPROTO_TCP (6) or IPPROTO_UDP (17) */
	__u16 client_port;           /* 10: the flow record's local_port */
	__u16 service_port;          /* 12: the flow record's remote_port */
	__u16 backend_port;          /* 14 */
	__u8 client_addr[16];        /* 16: the flow record's local_addr */
	__u8 service_addr[16];       /* 32: the flow record's remote_addr */
	__u8 backend_addr[16];       /* 48 */
};

/* Conntrack lookups of the loader, running totals. Every outbound flow record to a Service
 * address counts once in `lookups` and ends in exactly one of hits, misses or pending, so
 * lookups == hits + misses + pending. 64 bytes. */
struct kg_conntrack_record {
	struct kg_record_header hdr; /* 0 */
	__u64 time_ns;               /* 8: when the loader wrote it, Unix epoch ns */
	__u64 lookups;               /* 16: flow records to a Service address looked up */
	__u64 hits;                  /* 24: ... translated to a backend (a KG_REC_NAT was written) */
	__u64 misses;                /* 32: ... given up: no translated entry within the retry window,
					the retry list full, or lookups off */
	__u64 errors;                /* 40: netlink failures other than "no such entry" (each try) */
	__u64 pending;               /* 48: ... still in the retry list */
	__u64 available;             /* 56: 1 when ctnetlink answered at start-up, 0 when lookups are off */
};

#endif /* KG_FLOW_RECORD_H */
