// SPDX-License-Identifier: Apache-2.0
/*
 * sweep.c: the user-space half of UDP aggregation. The kernel only adds to kg_udp_flows; here we
 * emit cumulative counts for flows that moved, delete idle flows so the LRU rarely has to evict,
 * and estimate the evictions it did make (the kernel does not report them):
 *   evictions >= inserts (read before the walk) - entries we deleted - entries the walk saw.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flow_record.h"
#include "udp_flow.h"
#include "output.h"
#include "sweep.h"

#define KG_IPPROTO_UDP 17

/* Sums one kernel counter over all CPUs. */
static uint64_t read_counter(int counters_fd, uint32_t index)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0;
	uint64_t *values;

	if (ncpu <= 0)
		return 0;
	values = calloc((size_t)ncpu, sizeof(*values));
	if (!values)
		return 0;
	if (bpf_map_lookup_elem(counters_fd, &index, values) == 0) {
		for (int i = 0; i < ncpu; i++)
			sum += values[i];
	}
	free(values);
	return sum;
}

static void fill_count_record(struct kg_flow_record *rec, const struct kg_udp_key *key,
			      const struct kg_udp_value *val)
{
	memset(rec, 0, sizeof(*rec));
	rec->hdr.version = KG_RECORD_VERSION;
	rec->hdr.type = KG_REC_UDP_COUNT;
	rec->hdr.size = sizeof(*rec);
	rec->family = key->family;
	rec->protocol = KG_IPPROTO_UDP;
	rec->direction = val->first_dir;
	rec->state = KG_STATE_SEEN;
	rec->local_port = key->local_port;
	rec->remote_port = key->remote_port;
	rec->first_ns = val->first_ns;
	rec->last_ns = val->last_ns;
	rec->tx_packets = val->tx_packets;
	rec->rx_packets = val->rx_packets;
	rec->tx_bytes = val->tx_bytes;
	rec->rx_bytes = val->rx_bytes;
	memcpy(rec->local_addr, key->local_addr, 16);
	memcpy(rec->remote_addr, key->remote_addr, 16);
}

/* Keys to delete after the walk: deleting during bpf_map_get_next_key restarts the walk. */
struct key_list {
	struct kg_udp_key *keys;
	size_t len, cap;
};

static void key_list_push(struct key_list *list, const struct kg_udp_key *key)
{
	if (list->len == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 256;
		struct kg_udp_key *grown = realloc(list->keys, cap * sizeof(*grown));

		if (!grown)
			return; /* deleted on a later sweep */
		list->keys = grown;
		list->cap = cap;
	}
	list->keys[list->len++] = *key;
}

bool kg_sweep_udp(int flows_fd, int counters_fd, struct kg_sweep_state *st, FILE *out)
{
	uint64_t inserts = read_counter(counters_fd, KG_CNT_UDP_INSERT);
	uint64_t start = kg_clock_ns(CLOCK_MONOTONIC);
	int64_t offset = kg_realtime_offset();
	struct key_list idle = {};
	struct kg_udp_key key, next;
	struct kg_udp_value val;
	struct kg_flow_record rec;
	uint64_t live = 0;
	bool ok = true, first = true;

	while (bpf_map_get_next_key(flows_fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(flows_fd, &key, &val) != 0)
			continue; /* deleted or evicted meanwhile */
		live++;
		if (val.last_ns > st->prev_start_mono) {
			fill_count_record(&rec, &key, &val);
			ok = ok && kg_ct_observe(st->ct, &rec, out) && kg_write_flow(out, &rec, offset);
		}
		if (start > val.last_ns && start - val.last_ns > st->idle_ns)
			key_list_push(&idle, &key);
	}
	for (size_t i = 0; i < idle.len; i++) {
		if (bpf_map_delete_elem(flows_fd, &idle.keys[i]) == 0) {
			st->deleted++;
			live--;
		}
	}
	free(idle.keys);
	if (inserts > st->deleted + live && inserts - st->deleted - live > st->evictions)
		st->evictions = inserts - st->deleted - live;
	st->live = live;
	st->prev_start_mono = start;
	return ok;
}

bool kg_write_counters(int counters_fd, const struct kg_sweep_state *st, FILE *out)
{
	struct kg_counters_record rec = {
		.hdr = { .version = KG_RECORD_VERSION, .type = KG_REC_COUNTERS, .size = sizeof(rec) },
		.time_ns = kg_clock_ns(CLOCK_REALTIME),
		.ringbuf_drops = read_counter(counters_fd, KG_CNT_RINGBUF_DROP),
		.udp_inserts = read_counter(counters_fd, KG_CNT_UDP_INSERT),
		.udp_map_errors = read_counter(counters_fd, KG_CNT_UDP_MAP_ERROR),
		.udp_unparsed = read_counter(counters_fd, KG_CNT_UDP_UNPARSED),
		.udp_evictions = st->evictions,
		.udp_live_flows = st->live,
	};

	return fwrite(&rec, sizeof(rec), 1, out) == 1;
}

void kg_report_loss(int counters_fd, const struct kg_sweep_state *st, FILE *err)
{
	fprintf(err, "kg-loader: loss: %llu ring buffer drop(s), %llu UDP LRU eviction(s) (lower bound), "
		     "%llu UDP map error(s), %llu unparsed UDP packet(s)\n",
		(unsigned long long)read_counter(counters_fd, KG_CNT_RINGBUF_DROP), (unsigned long long)st->evictions,
		(unsigned long long)read_counter(counters_fd, KG_CNT_UDP_MAP_ERROR),
		(unsigned long long)read_counter(counters_fd, KG_CNT_UDP_UNPARSED));
}
