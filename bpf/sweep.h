/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sweep.h: the loader's periodic pass over the kernel's UDP flow table (counts out, idle flows
 * deleted) and its reading of the kernel's per-CPU loss counters.
 */
#ifndef KG_SWEEP_H
#define KG_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conntrack.h"

struct kg_sweep_state {
	uint64_t prev_start_mono; /* entries touched after this are reported again */
	uint64_t deleted;         /* idle entries this loader deleted, ever */
	uint64_t evictions;       /* LRU evictions estimate, monotonic */
	uint64_t live;            /* entries seen by the last sweep */
	uint64_t idle_ns;         /* delete entries idle longer than this */
	struct kg_conntrack *ct;  /* Service lookups for outbound count records; NULL when off */
};

/* Reports every flow touched since the previous sweep as KG_REC_UDP_COUNT and deletes idle ones.
 * Returns false when writing failed. */
bool kg_sweep_udp(int flows_fd, int counters_fd, struct kg_sweep_state *st, FILE *out);

/* Writes one KG_REC_COUNTERS record. Returns false when writing failed. */
bool kg_write_counters(int counters_fd, const struct kg_sweep_state *st, FILE *out);

/* Writes one text line with the loss counters (ring buffer drops, LRU evictions, map errors,
 * unparsed packets) to `err`; the loader prints it when it exits. */
void kg_report_loss(int counters_fd, const struct kg_sweep_state *st, FILE *err);

#endif /* KG_SWEEP_H */
