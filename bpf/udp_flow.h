/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udp_flow.h: key and value of the kernel's UDP flow table (map kg_udp_flows), shared by the
 * kernel programs that write it and the loader that sweeps it. Not part of the wire format.
 */
#ifndef KG_UDP_FLOW_H
#define KG_UDP_FLOW_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* One UDP conversation seen from one local socket address. The key is the same whichever way a
 * packet goes (local is always the address on this host), so a reply lands on its request's
 * entry and `first_dir` tells who spoke first. */
struct kg_udp_key {
	__u8 local_addr[16];  /* network order; IPv4 in the first 4 bytes */
	__u8 remote_addr[16];
	__u16 local_port;     /* host order */
	__u16 remote_port;
	__u8 family;          /* AF_INET or AF_INET6 */
	__u8 _pad[3];
};

struct kg_udp_value {
	__u64 first_ns;   /* CLOCK_MONOTONIC */
	__u64 last_ns;
	__u64 tx_packets; /* atomically added by every CPU */
	__u64 rx_packets;
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u8 first_dir;   /* enum kg_direction of the first packet */
	__u8 _pad[7];
};

#endif /* KG_UDP_FLOW_H */
