// SPDX-License-Identifier: Apache-2.0
/*
 * flow.bpf.c: the entry points of kguardian's node agent, and nothing else (helpers live in the
 * *.bpf.h headers). One CO-RE object for every kernel with BTF; only stable hooks, because
 * kprobes and fentry are not available everywhere we run:
 *   - tracepoint sock/inet_sock_set_state: TCP connections, both directions, and failed attempts;
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
