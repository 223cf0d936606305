/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_state.bpf.h: turns a TCP socket's state change into a flow record. The direction comes from
 * the transition itself, never from port numbers:
 *   SYN_SENT -> ESTABLISHED   the local socket connected out        Egress, established
 *   SYN_RECV -> ESTABLISHED   a listener's child completed          Ingress, established
 *   SYN_SENT -> CLOSE         the connect never completed           Egress, refused (RST) or attempt
 *   SYN_RECV -> CLOSE         a half-open inbound connection died   Ingress, attempt
 * The first three come from the socket's own sock_ops callbacks (kg_ops_*), the last from the
 * sock:inet_sock_set_state tracepoint. Most of them happen in softirq (an arriving SYN-ACK, RST or
 * ICMP error, a retransmission timer giving up), where the kernel may skip a tracepoint's program
 * when it nests in another tracing or perf context on the CPU: counted in the program's
 * recursion_misses (bpf_prog_active) or not at all (perf's recursion guard). ADR 3 has the
 * measurements. sock_ops programs are called by the TCP stack itself, with no such guard.
 * A SYN to a closed port never makes a socket, so nothing reports it at the server; the
 * tcp:tcp_send_reset tracepoint does (kg_tcp_reset_refusal): Ingress, refused.
 */
#ifndef KG_TCP_STATE_BPF_H
#define KG_TCP_STATE_BPF_H

#include "addr.bpf.h"

#define KG_TCP_ESTABLISHED 1
#define KG_TCP_SYN_SENT 2
#define KG_TCP_SYN_RECV 3
#define KG_TCP_CLOSE 7
#define KG_IPPROTO_TCP 6
#define KG_ECONNREFUSED 111

/* tcp_reset() stores ECONNREFUSED in sk_err before moving a SYN_SENT socket to CLOSE. */
static __always_inline __u8 kg_tcp_refine_failure(int sk_err)
{
	return sk_err == KG_ECONNREFUSED ? KG_STATE_REFUSED : KG_STATE_ATTEMPT;
}

/* The sock_ops operations and flag used (UAPI values, stable since Linux 4.16). */
#define KG_SOCK_OPS_TCP_CONNECT_CB 3
#define KG_SOCK_OPS_PASSIVE_ESTABLISHED_CB 5
#define KG_SOCK_OPS_STATE_CB 10
#define KG_SOCK_OPS_STATE_CB_FLAG 4

/* Four words of an address, read from the sock_ops context one constant offset at a time (its
 * fields are rewritten into socket reads; a pointer into it is refused), into record bytes. */
#define KG_OPS_IP6(dst, field)                                                                         \
	do {                                                                                            \
		__u32 w0 = ops->field[0], w1 = ops->field[1], w2 = ops->field[2], w3 = ops->field[3]; \
		__builtin_memcpy((dst), &w0, 4);                                                        \
		__builtin_memcpy((dst) + 4, &w1, 4);                                                    \
		__builtin_memcpy((dst) + 8, &w2, 4);                                                    \
		__builtin_memcpy((dst) + 12, &w3, 4);                                                   \
	} while (0)

/* Addresses and ports from the sock_ops context, IPv4-mapped IPv6 as IPv4 (as kg_tcp_addresses). */
static __always_inline void kg_ops_addresses(struct kg_flow_record *rec, const struct bpf_sock_ops *ops)
{
	rec->local_port = (__u16)ops->local_port;	       /* host order */
	rec->remote_port = bpf_ntohl(ops->remote_port) & 0xffff; /* network order in the upper half */
	if (ops->family == KG_AF_INET6) {
		KG_OPS_IP6(rec->local_addr, local_ip6);
		KG_OPS_IP6(rec->remote_addr, remote_ip6);
		if (!kg_is_v4_mapped(rec->local_addr)) {
			rec->family = KG_AF_INET6;
			return;
		}
		__builtin_memset(rec->remote_addr, 0, 16);
		__builtin_memset(rec->local_addr, 0, 16);
	}
	__u32 local = ops->local_ip4, remote = ops->remote_ip4;

	rec->family = KG_AF_INET;
	__builtin_memcpy(rec->local_addr, &local, 4);
	__builtin_memcpy(rec->remote_addr, &remote, 4);
}

/* Copies addresses, normalising IPv4-mapped IPv6 to IPv4. CO-RE turns array field addresses
 * into ctx pointer arithmetic, which the verifier refuses, so arrays go through probe reads. */
static __always_inline void kg_tcp_addresses(struct kg_flow_record *rec,
					     const struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->family == KG_AF_INET6) {
		bpf_probe_read_kernel(rec->local_addr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(rec->remote_addr, 16, ctx->daddr_v6);
		if (!kg_is_v4_mapped(rec->local_addr)) {
			rec->family = KG_AF_INET6;
			return;
		}
		__builtin_memset(rec->remote_addr, 0, 16);
		__builtin_memset(rec->local_addr, 0, 16);
	}
	rec->family = KG_AF_INET;
	bpf_probe_read_kernel(rec->local_addr, 4, ctx->saddr);
	bpf_probe_read_kernel(rec->remote_addr, 4, ctx->daddr);
}

/* enum sk_rst_reason: the reset answers a segment for which no socket exists. */
#define KG_RST_NO_SOCKET 1
#define KG_TCP_FLAG_SYN 0x02
#define KG_TCP_FLAG_RST 0x04
#define KG_TCP_FLAG_ACK 0x10

/* True when the segment in `skb` is a bare SYN (no ACK, no RST): a new connection, not a stray
 * segment of an old one. Byte 13 of the TCP header holds the flags. */
static __always_inline bool kg_skb_is_bare_syn(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	__u8 flags = 0;

	if (!head || th == (__u16)~0U)
		return false;
	if (bpf_probe_read_kernel(&flags, 1, head + th + 13))
		return false;
	return (flags & (KG_TCP_FLAG_SYN | KG_TCP_FLAG_ACK | KG_TCP_FLAG_RST)) == KG_TCP_FLAG_SYN;
}

/* One end of tcp:tcp_send_reset: a struct sockaddr_in or sockaddr_in6 in 28 bytes. Returns the
 * family, or 0 for anything else. */
static __always_inline __u8 kg_sockaddr_end(const struct sockaddr_in6 *sa, __u8 *addr, __u16 *port)
{
	if (sa->sin6_family == KG_AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		__builtin_memcpy(addr, &in->sin_addr.s_addr, 4);
		*port = bpf_ntohs(in->sin_port);
		return KG_AF_INET;
	}
	if (sa->sin6_family == KG_AF_INET6) {
		__builtin_memcpy(addr, &sa->sin6_addr, 16);
		*port = bpf_ntohs(sa->sin6_port);
		return KG_AF_INET6;
	}
	return 0;
}

/* Fills `rec` for a reset the kernel sent for a SYN that found no socket (a closed port): the
 * local end is the SYN's destination, the remote end its sender. For a reset without a socket the
 * tracepoint stores the segment's 4-tuple reversed, so `saddr` is the local end (the reset's
 * source) and `daddr` the client. Returns false when the reset is anything else. */
static __always_inline bool kg_tcp_reset_refusal(struct kg_flow_record *rec, const struct sockaddr_in6 *saddr,
						 const struct sockaddr_in6 *daddr)
{
	__u8 family = kg_sockaddr_end(saddr, rec->local_addr, &rec->local_port);

	if (!family || kg_sockaddr_end(daddr, rec->remote_addr, &rec->remote_port) != family)
		return false;
	rec->family = family;
	rec->protocol = KG_IPPROTO_TCP;
	rec->direction = KG_DIR_INGRESS;
	rec->state = KG_STATE_REFUSED;
	return true;
}

#endif /* KG_TCP_STATE_BPF_H */
