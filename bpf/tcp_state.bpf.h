/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_state.bpf.h: turns one sock:inet_sock_set_state transition into a flow record. The
 * direction comes from the transition itself, never from port numbers:
 *   SYN_SENT -> ESTABLISHED   the local socket connected out        Egress, established
 *   SYN_RECV -> ESTABLISHED   a listener's child completed          Ingress, established
 *   SYN_SENT -> CLOSE         the connect never completed           Egress, refused (RST) or attempt
 *   SYN_RECV -> CLOSE         a half-open inbound connection died   Ingress, attempt
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

/* Classifies a transition; false when it is not one we report. */
static __always_inline bool kg_tcp_classify(int oldstate, int newstate, __u8 *direction, __u8 *state)
{
	if (oldstate == KG_TCP_SYN_SENT)
		*direction = KG_DIR_EGRESS;
	else if (oldstate == KG_TCP_SYN_RECV)
		*direction = KG_DIR_INGRESS;
	else
		return false;
	if (newstate == KG_TCP_ESTABLISHED)
		*state = KG_STATE_ESTABLISHED;
	else if (newstate == KG_TCP_CLOSE)
		*state = KG_STATE_ATTEMPT; /* refined by kg_tcp_refine_failure */
	else
		return false;
	return true;
}

/* tcp_reset() stores ECONNREFUSED in sk_err before moving a SYN_SENT socket to CLOSE. */
static __always_inline __u8 kg_tcp_refine_failure(const struct sock *sk)
{
	int err = BPF_CORE_READ(sk, sk_err);

	return err == KG_ECONNREFUSED ? KG_STATE_REFUSED : KG_STATE_ATTEMPT;
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

#endif /* KG_TCP_STATE_BPF_H */
