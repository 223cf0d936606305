/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udp_account.bpf.h: the per-packet UDP path of the cgroup_skb programs. It must stay cheap: read
 * the IP and UDP headers, then one LRU lookup and a few atomic adds. Only the first packet of a
 * flow reaches the ring buffer; counts leave through the loader's periodic sweep.
 * In cgroup_skb programs the packet starts at the network header, in both directions.
 */
#ifndef KG_UDP_ACCOUNT_BPF_H
#define KG_UDP_ACCOUNT_BPF_H

#include "addr.bpf.h"

#define KG_ETH_P_IP 0x0800
#define KG_ETH_P_IPV6 0x86DD
#define KG_IPPROTO_UDP 17
#define KG_IP_OFFSET_MASK 0x1fff

/* Addresses and ports of one packet, as sent (src) and received (dst). */
struct kg_packet {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
	__u8 family;
};

/* Reads the UDP ports at `offset`; false when the header cannot be read. */
static __always_inline bool kg_read_ports(struct __sk_buff *skb, __u32 offset, struct kg_packet *pkt)
{
	struct udphdr udp;

	if (bpf_skb_load_bytes(skb, offset, &udp, sizeof(udp)) < 0)
		return false;
	pkt->sport = bpf_ntohs(udp.source);
	pkt->dport = bpf_ntohs(udp.dest);
	return true;
}

/* Parses an IPv4 or IPv6 UDP packet. Returns 1 when parsed, 0 when not UDP, -1 when UDP but the
 * ports are unreadable (non-first fragment, IPv6 extension headers). */
static __always_inline int kg_parse_udp(struct __sk_buff *skb, struct kg_packet *pkt)
{
	if (skb->protocol == bpf_htons(KG_ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0 || ip.protocol != KG_IPPROTO_UDP)
			return 0;
		if (ip.frag_off & bpf_htons(KG_IP_OFFSET_MASK))
			return -1;
		pkt->family = KG_AF_INET;
		__builtin_memcpy(pkt->src, &ip.saddr, 4);
		__builtin_memcpy(pkt->dst, &ip.daddr, 4);
		return kg_read_ports(skb, ip.ihl * 4, pkt) ? 1 : -1;
	}
	if (skb->protocol == bpf_htons(KG_ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			return 0;
		if (ip6.nexthdr != KG_IPPROTO_UDP)
			return 0; /* TCP and others; extension headers before UDP are rare and not followed */
		pkt->family = KG_AF_INET6;
		__builtin_memcpy(pkt->src, &ip6.saddr, 16);
		__builtin_memcpy(pkt->dst, &ip6.daddr, 16);
		return kg_read_ports(skb, sizeof(ip6), pkt) ? 1 : -1;
	}
	return 0;
}

/* Builds the table key from the local socket's point of view. */
static __always_inline void kg_udp_key_of(const struct kg_packet *pkt, __u8 dir, struct kg_udp_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->family = pkt->family;
	if (dir == KG_DIR_EGRESS) {
		__builtin_memcpy(key->local_addr, pkt->src, 16);
		__builtin_memcpy(key->remote_addr, pkt->dst, 16);
		key->local_port = pkt->sport;
		key->remote_port = pkt->dport;
	} else {
		__builtin_memcpy(key->local_addr, pkt->dst, 16);
		__builtin_memcpy(key->remote_addr, pkt->src, 16);
		key->local_port = pkt->dport;
		key->remote_port = pkt->sport;
	}
}

static __always_inline void kg_udp_add(struct kg_udp_value *val, __u8 dir, __u64 bytes, __u64 now)
{
	if (dir == KG_DIR_EGRESS) {
		__sync_fetch_and_add(&val->tx_packets, 1);
		__sync_fetch_and_add(&val->tx_bytes, bytes);
	} else {
		__sync_fetch_and_add(&val->rx_packets, 1);
		__sync_fetch_and_add(&val->rx_bytes, bytes);
	}
	val->last_ns = now; /* last writer wins; all writers are "now" within a few ns */
}

/* Announces a new flow on the ring buffer. */
static __always_inline void kg_udp_emit_new(const struct kg_udp_key *key, const struct kg_udp_value *val)
{
	struct kg_flow_record *rec = kg_reserve_flow(KG_REC_UDP_NEW);

	if (!rec)
		return; /* counted; the sweep still reports this flow's counts and addresses */
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
	__builtin_memcpy(rec->local_addr, key->local_addr, 16);
	__builtin_memcpy(rec->remote_addr, key->remote_addr, 16);
	kg_submit(rec);
}

/* Accounts one packet seen by a cgroup_skb program in direction `dir`. */
static __always_inline void kg_udp_account(struct __sk_buff *skb, __u8 dir)
{
	struct kg_packet pkt = {};
	struct kg_udp_key key;
	struct kg_udp_value *val;
	__u64 now;
	int parsed = kg_parse_udp(skb, &pkt);

	if (parsed <= 0) {
		if (parsed < 0)
			kg_count(KG_CNT_UDP_UNPARSED);
		return;
	}
	if (kg_skip_loopback && kg_is_loopback(pkt.family, pkt.src) && kg_is_loopback(pkt.family, pkt.dst))
		return;
	kg_udp_key_of(&pkt, dir, &key);
	now = bpf_ktime_get_ns();
	val = bpf_map_lookup_elem(&kg_udp_flows, &key);
	if (val) {
		kg_udp_add(val, dir, skb->len, now);
		return;
	}
	struct kg_udp_value fresh = { .first_ns = now, .last_ns = now, .first_dir = dir };

	if (dir == KG_DIR_EGRESS) {
		fresh.tx_packets = 1;
		fresh.tx_bytes = skb->len;
	} else {
		fresh.rx_packets = 1;
		fresh.rx_bytes = skb->len;
	}
	long err = bpf_map_update_elem(&kg_udp_flows, &key, &fresh, BPF_NOEXIST);

	if (err == 0) {
		kg_count(KG_CNT_UDP_INSERT);
		kg_udp_emit_new(&key, &fresh);
		return;
	}
	/* Another CPU inserted the same flow between our lookup and update: add to its entry. */
	val = bpf_map_lookup_elem(&kg_udp_flows, &key);
	if (val)
		kg_udp_add(val, dir, skb->len, now);
	else
		kg_count(KG_CNT_UDP_MAP_ERROR);
}

#endif /* KG_UDP_ACCOUNT_BPF_H */
