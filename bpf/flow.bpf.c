// SPDX-License-Identifier: Apache-2.0
/*
 * flow.bpf.c: the entry points of kguardian's node agent, and nothing else (helpers live in the
 * *.bpf.h headers). One CO-RE object for every kernel with BTF; only stable hooks, because
 * kprobes and fentry are not available everywhere we run:
 *   - sock_ops on the cgroup v2 root: TCP connections, both directions, and failed outbound
 *     attempts, from the TCP stack's own callbacks (see tcp_state.bpf.h for why not a tracepoint);
 *   - tracepoint sock/inet_sock_set_state: half-open inbound connections that die (SYN_RECV -> CLOSE);
 *   - tracepoint tcp/tcp_send_reset (optional, Linux 6.10+): SYNs refused by a closed port, at the
 *     server, which has no socket and so no state change to report them;
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

/* Fills and submits a TCP record from the socket's sock_ops context. */
static __always_inline void kg_ops_record(struct bpf_sock_ops *ops, __u8 direction, __u8 state)
{
	struct bpf_sock *bsk = ops->sk;
	struct tcp_sock *tp;
	struct kg_flow_record *rec;

	if (!bsk)
		return;
	tp = bpf_skc_to_tcp_sock(bsk);
	if (!tp)
		return;
	const struct sock *sk = (const struct sock *)tp;

	if (state == KG_STATE_ATTEMPT)
		state = kg_tcp_refine_failure(BPF_CORE_READ(sk, sk_err));
	rec = kg_reserve_flow(KG_REC_TCP);
	if (!rec)
		return;
	rec->protocol = KG_IPPROTO_TCP;
	rec->direction = direction;
	rec->state = state;
	rec->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	rec->first_ns = bpf_ktime_get_ns();
	rec->last_ns = rec->first_ns;
	kg_ops_addresses(rec, ops);
	kg_submit(rec);
}

/* Every TCP socket under the cgroup v2 root. An outbound connect asks for its state changes
 * (STATE_CB) and reports how its SYN_SENT ended; an inbound connection is reported when the
 * listener's child completes. Always returns 1: observe only, never change the connection. */
SEC("sockops")
int kg_tcp_ops(struct bpf_sock_ops *ops)
{
	__u32 op = ops->op;

	if (!kg_capture_tcp)
		return 1;
	if (op == KG_SOCK_OPS_TCP_CONNECT_CB) {
		/* Keep whatever other programs asked of this socket. The flag stays: clearing it could
		 * take it from another program that wants it too. */
		bpf_sock_ops_cb_flags_set(ops, ops->bpf_sock_ops_cb_flags | KG_SOCK_OPS_STATE_CB_FLAG);
		return 1;
	}
	if (op == KG_SOCK_OPS_PASSIVE_ESTABLISHED_CB) {
		kg_ops_record(ops, KG_DIR_INGRESS, KG_STATE_ESTABLISHED);
		return 1;
	}
	if (op != KG_SOCK_OPS_STATE_CB || ops->args[0] != KG_TCP_SYN_SENT)
		return 1;
	if (ops->args[1] == KG_TCP_ESTABLISHED)
		kg_ops_record(ops, KG_DIR_EGRESS, KG_STATE_ESTABLISHED);
	else if (ops->args[1] == KG_TCP_CLOSE)
		kg_ops_record(ops, KG_DIR_EGRESS, KG_STATE_ATTEMPT); /* refined from sk_err */
	return 1;
}

/* The one transition sock_ops cannot report: a listener's child that dies before it completes
 * (its callbacks start once it is established). */
SEC("tracepoint/sock/inet_sock_set_state")
int kg_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct kg_flow_record *rec;

	if (!kg_capture_tcp || ctx->protocol != KG_IPPROTO_TCP)
		return 0;
	if (ctx->oldstate != KG_TCP_SYN_RECV || ctx->newstate != KG_TCP_CLOSE)
		return 0;
	const struct sock *sk = ctx->skaddr;

	rec = kg_reserve_flow(KG_REC_TCP);
	if (!rec)
		return 0;
	rec->protocol = KG_IPPROTO_TCP;
	rec->direction = KG_DIR_INGRESS;
	rec->state = KG_STATE_ATTEMPT;
	rec->local_port = ctx->sport;
	rec->remote_port = ctx->dport;
	rec->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	rec->first_ns = bpf_ktime_get_ns();
	rec->last_ns = rec->first_ns;
	kg_tcp_addresses(rec, ctx);
	kg_submit(rec);
	return 0;
}

/* Optional: the loader switches it off (autoload) on kernels whose tcp_send_reset has no `reason`
 * and sockaddr ends (before 6.10), so the CO-RE relocations below never meet an older layout. */
SEC("tracepoint/tcp/tcp_send_reset")
int kg_tcp_reset(struct trace_event_raw_tcp_send_reset *ctx)
{
	struct sockaddr_in6 saddr, daddr;
	struct kg_flow_record *rec;

	if (!kg_capture_tcp || ctx->reason != KG_RST_NO_SOCKET || ctx->skaddr)
		return 0;
	const struct sk_buff *skb = ctx->skbaddr;

	if (!skb || !kg_skb_is_bare_syn(skb))
		return 0;
	/* Array fields go through probe reads (see kg_tcp_addresses). */
	if (bpf_probe_read_kernel(&saddr, sizeof(saddr), ctx->saddr) ||
	    bpf_probe_read_kernel(&daddr, sizeof(daddr), ctx->daddr))
		return 0;
	rec = kg_reserve_flow(KG_REC_TCP);
	if (!rec)
		return 0;
	if (!kg_tcp_reset_refusal(rec, &saddr, &daddr)) {
		bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
		return 0;
	}
	/* The namespace of the device the SYN arrived on: the server pod's. */
	rec->netns = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
	rec->first_ns = bpf_ktime_get_ns();
	rec->last_ns = rec->first_ns;
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
