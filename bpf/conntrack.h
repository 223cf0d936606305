/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conntrack.h: kg-loader's lookups of Service translations in the host's conntrack table
 * (ctnetlink over a raw NETLINK_NETFILTER socket). kube-proxy DNATs a connection to a ClusterIP on
 * the client's node, so this node's table names the backend really reached, wherever it runs.
 */
#ifndef KG_CONNTRACK_H
#define KG_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow_record.h"

#define KG_CT_MAX_CIDRS 16

/* One --service-cidr: address in network order (IPv4 in the first 4 bytes), host bits cleared. */
struct kg_cidr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t bits;
	uint8_t addr[16];
};

struct kg_conntrack;

/* Parses "10.96.0.0/12" or "fd00:10:96::/112". False for anything else. */
bool kg_parse_cidr(const char *text, struct kg_cidr *out);

/* Opens the netlink socket and probes ctnetlink once. Without it (module missing, EPERM) prints
 * one line on `err` and returns a handle whose lookups are off (records to Services then count as
 * misses). NULL when `n` is 0 (nothing to look up) or memory is short. */
struct kg_conntrack *kg_ct_open(const struct kg_cidr *cidrs, size_t n, FILE *err);

/* For an outbound TCP or UDP flow record to a Service address: looks the connection up and writes
 * a KG_REC_NAT to `out` when it is translated, else queues it for retries. Call before writing the
 * flow record itself. False only when writing failed. `ct` may be NULL. */
bool kg_ct_observe(struct kg_conntrack *ct, const struct kg_flow_record *rec, FILE *out);

/* Retries queued lookups that are due (every poll iteration); gives up on those older than the
 * retry window, or on all of them when `final`. False only when writing failed. */
bool kg_ct_retry(struct kg_conntrack *ct, bool final, FILE *out);

/* Writes one KG_REC_CONNTRACK record. False when writing failed. */
bool kg_ct_write_counters(const struct kg_conntrack *ct, FILE *out);

/* One text line with the totals, printed when the loader exits. */
void kg_ct_report(const struct kg_conntrack *ct, FILE *err);

void kg_ct_close(struct kg_conntrack *ct);

#endif /* KG_CONNTRACK_H */
