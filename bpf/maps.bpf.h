/* SPDX-License-Identifier: Apache-2.0 */
/*
 * maps.bpf.h: every map of the flow programs, the load-time configuration, and the small
 * helpers that touch them. Included once, by flow.bpf.c.
 */
#ifndef KG_MAPS_BPF_H
#define KG_MAPS_BPF_H

#include "flow_record.h"
#include "udp_flow.h"

/* Load-time configuration, set by the loader in the skeleton's rodata before load, so the
 * verifier prunes what is switched off. */
const volatile bool kg_capture_tcp = true;
const volatile bool kg_capture_udp = true;
const volatile bool kg_skip_loopback = true; /* 127.0.0.0/8 and ::1 never cross a pod boundary */
/* Wake the loader only once this much is waiting; it also drains on a short timer. One wakeup
 * per record would cost the loader a syscall round trip per connection. The loader lowers this to
 * a quarter of the ring buffer when the buffer is smaller than 256 KiB. */
const volatile __u64 kg_wakeup_bytes = 64 << 10;

/* kg_events: records for user space.
 * Written by: kg_tcp_state (KG_REC_TCP) and the UDP programs (KG_REC_UDP_NEW), reserve/submit.
 * Read by: the loader's ring buffer poll, which copies each record to stdout.
 * Size: set by the loader before load (--ringbuf-mb, --ringbuf-kb); a failed reservation counts
 * KG_CNT_RINGBUF_DROP. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} kg_events SEC(".maps");

/* kg_udp_flows: per-flow UDP aggregation, so the per-packet path is a lookup and atomic adds.
 * Key: struct kg_udp_key (local/remote address and port, family). Value: struct kg_udp_value.
 * Written by: the cgroup_skb programs (insert with BPF_NOEXIST, then atomic adds).
 * Read by: the loader's sweep, which emits KG_REC_UDP_COUNT for entries touched since the
 * previous sweep. Deleted by: the loader's sweep when idle longer than --udp-idle-ms, and by the
 * kernel's LRU when full (the loader estimates those evictions from KG_CNT_UDP_INSERT). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct kg_udp_key);
	__type(value, struct kg_udp_value);
} kg_udp_flows SEC(".maps");

/* kg_counters: loss and health counters, one u64 per CPU per enum kg_counter index.
 * Written by: every program (plain increments: per-CPU, so no atomics needed).
 * Read by: the loader, which sums CPUs into KG_REC_COUNTERS. Never deleted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KG_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} kg_counters SEC(".maps");

static __always_inline void kg_count(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&kg_counters, &index);

	if (value)
		*value += 1;
}

/* Reserves a record of `type` in the ring buffer, header filled, body zeroed; counts the drop
 * and returns NULL when the buffer is full. */
static __always_inline struct kg_flow_record *kg_reserve_flow(__u16 type)
{
	struct kg_flow_record *rec = bpf_ringbuf_reserve(&kg_events, sizeof(*rec), 0);

	if (!rec) {
		kg_count(KG_CNT_RINGBUF_DROP);
		return NULL;
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->hdr.version = KG_RECORD_VERSION;
	rec->hdr.type = type;
	rec->hdr.size = sizeof(*rec);
	return rec;
}

/* Submits a reserved record, waking user space only when enough has piled up. */
static __always_inline void kg_submit(void *rec)
{
	__u64 avail = bpf_ringbuf_query(&kg_events, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(rec, avail >= kg_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* Pin the record types into this object's BTF (types used only inside functions are not
 * emitted), so the decoder test can compare the TypeScript layout of every record with the
 * compiler's. Never read by a program. */
struct kg_flow_record *kg_btf_anchor_flow;
struct kg_counters_record *kg_btf_anchor_counters;
struct kg_nat_record *kg_btf_anchor_nat;         /* written by the loader only */
struct kg_conntrack_record *kg_btf_anchor_conntrack; /* written by the loader only */

#endif /* KG_MAPS_BPF_H */
