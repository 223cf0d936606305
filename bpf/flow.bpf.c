// SPDX-License-Identifier: Apache-2.0
/*
 * flow.bpf.c: the entry points of kguardian's node agent, and nothing else (helpers live in the
 * *.bpf.h headers). One CO-RE object for every kernel with BTF; only stable hooks, because
 * kprobes and fentry are not available everywhere we run:
 *   - tracepoint sock/inet_sock_set_state: TCP connections, both directions, and failed attempts;
 *   - cgroup_skb ingress/egress on the cgroup v2 root: UDP, both directions, including inbound
 *     datagrams to servers and unconnected sendto().
 * Records leave through the kg_events ring buffer; see flow_record.h for their layout.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "maps.bpf.h"
#include "tcp_state.bpf.h"
#include "udp_account.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint/sock/inet_sock_set_state")
int kg_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct kg_flow_record *rec;
	__u8 direction, state;

	if (!kg_capture_tcp || ctx->protocol != KG_IPPROTO_TCP)
		return 0;
	if (!kg_tcp_classify(ctx->oldstate, ctx->newstate, &direction, &state))
		return 0;
	const struct sock *sk = ctx->skaddr;

	if (state == KG_STATE_ATTEMPT && direction == KG_DIR_EGRESS)
		state = kg_tcp_refine_failure(sk);
	rec = kg_reserve_flow(KG_REC_TCP);
	if (!rec)
		return 0;
	rec->protocol = KG_IPPROTO_TCP;
	rec->direction = direction;
	rec->state = state;
	rec->local_port = ctx->sport;
	rec->remote_port = ctx->dport;
	rec->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	rec->first_ns = bpf_ktime_get_ns();
	rec->last_ns = rec->first_ns;
	kg_tcp_addresses(rec, ctx);
	kg_submit(rec);
	return 0;
}

SEC("cgroup_skb/egress")
int kg_udp_egress(struct __sk_buff *skb)
{
	if (kg_capture_udp)
		kg_udp_account(skb, KG_DIR_EGRESS);
	return 1; /* observe only: always let the packet through */
}

SEC("cgroup_skb/ingress")
int kg_udp_ingress(struct __sk_buff *skb)
{
	if (kg_capture_udp)
		kg_udp_account(skb, KG_DIR_INGRESS);
	return 1;
}
