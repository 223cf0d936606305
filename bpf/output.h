/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.h: how kg-loader writes records to stdout (framed binary, see flow_record.h) and turns
 * the kernel's CLOCK_MONOTONIC stamps into Unix epoch nanoseconds on the way out.
 */
#ifndef KG_OUTPUT_H
#define KG_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "flow_record.h"

static inline uint64_t kg_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Realtime minus monotonic, refreshed each sweep so a stepped wall clock is followed. */
static inline int64_t kg_realtime_offset(void)
{
	return (int64_t)(kg_clock_ns(CLOCK_REALTIME) - kg_clock_ns(CLOCK_MONOTONIC));
}

/* Writes one flow record with its times moved to the wall clock; false on a write error. */
static inline bool kg_write_flow(FILE *out, const struct kg_flow_record *src, int64_t offset)
{
	struct kg_flow_record rec = *src;

	rec.first_ns = (uint64_t)((int64_t)rec.first_ns + offset);
	rec.last_ns = (uint64_t)((int64_t)rec.last_ns + offset);
	return fwrite(&rec, sizeof(rec), 1, out) == 1;
}

#endif /* KG_OUTPUT_H */
