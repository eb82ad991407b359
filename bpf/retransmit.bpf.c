// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Retransmit probe: counts the TCP segments the host retransmits, per socket
 * state and network namespace, and per kernel stack within the stack policy.
 *
 * The unit is the segment, as in the kernel's TcpRetransSegs: a GSO skb
 * retransmitted at once counts tcp_skb_pcount() segments, read from its
 * tcp_skb_cb.  Only retransmits that left the host count: older kernels
 * (5.10 to 6.12) fire the tracepoint only then, newer ones pass the error
 * and fire for every attempt (docs/retransmit-probe.md).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "retransmit.h"
#include "lib/stats.bpf.h"
#include "lib/skb_filter.bpf.h"
#include "lib/sock_flow.bpf.h"
#include "lib/netns.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/compat.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct skbtrace_filter filter = {};
/* Whether tcp:tcp_retransmit_skb passes the transmit's error (and fires on failures too). */
const volatile bool has_err = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_series */
	__type(key, struct retransmit_key);
	__type(value, __u64);
} retransmit_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_stack_series */
	__type(key, struct retransmit_stack_key);
	__type(value, __u64);
} retransmit_stack_counts SEC(".maps");

/* TCP_SKB_CB(skb)->tcp_gso_segs: the skb lives on the retransmit queue, its cb is TCP's. */
static __always_inline __u64 skb_tcp_segs(struct sk_buff *skb)
{
	struct tcp_skb_cb *cb = (struct tcp_skb_cb *)&skb->cb[0];
	__u16 segs = BPF_CORE_READ(cb, tcp_gso_segs);

	/* pcount is at least 1 once TCP queued the skb; 0 would be a misread. */
	return segs ? segs : 1;
}

static __always_inline int handle_retransmit(void *ctx, const struct sock *sk, struct sk_buff *skb,
					     int err)
{
	struct skbtrace_stats *s = stats_this_cpu();
	struct retransmit_key key = {};
	struct retransmit_stack_key skey = {};
	struct net *net;
	__u64 segs;
	__u32 netns;

	/* A retransmit that did not leave the host is no segment on the wire. */
	if (err || !sk || !skb)
		return 0;
	stat_inc(s, SKBTRACE_STAT_EVENTS);
	net = sock_net_of((struct sock *)sk);
	/* The filter names inodes; keys hold the id (lib/netns.bpf.h). */
	if (filter.n_netns && !filter_netns_ok(&filter, net_inum(net)))
		goto filtered;
	netns = net_id(net);
	if (filter_needs_flow(&filter)) {
		struct skb_flow flow;

		sock_read_flow(sk, &flow);
		if (!filter_flow_ok(&filter, &flow))
			goto filtered;
	}

	segs = skb_tcp_segs(skb);
	key.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	key.netns = netns;
	/* In segments, as TcpRetransSegs: the overflow series keeps the sum exact. */
	count_or_overflow(s, &retransmit_counts, &key, segs, RETRANSMIT_COUNTS_SLOT);

	if (!stack_wanted(s))
		return 0;
	skey.netns = netns;
	skey.stack_id = stack_capture(ctx, s);
	count_or_overflow(s, &retransmit_stack_counts, &skey, segs, RETRANSMIT_STACK_COUNTS_SLOT);
	return 0;

filtered:
	stat_inc(s, SKBTRACE_STAT_FILTERED);
	return 0;
}

/* tcp_retransmit_skb(sk, skb[, err]) */
SEC("tp_btf/tcp_retransmit_skb")
int retransmit_tp_btf(__u64 *ctx)
{
	return handle_retransmit(ctx, (void *)ctx[0], (void *)ctx[1], has_err ? (int)ctx[2] : 0);
}

SEC("raw_tp/tcp_retransmit_skb")
int retransmit_raw_tp(__u64 *ctx)
{
	return handle_retransmit(ctx, (void *)ctx[0], (void *)ctx[1], has_err ? (int)ctx[2] : 0);
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int retransmit_tracepoint(void *ctx)
{
	if (bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb___skbtrace)) {
		struct trace_event_raw_tcp_retransmit_skb___skbtrace *r = ctx;
		int err = 0;

		if (bpf_core_field_exists(r->err))
			err = r->err;
		return handle_retransmit(ctx, r->skaddr, (void *)r->skbaddr, err);
	} else {
		struct trace_event_raw_tcp_event_sk_skb___skbtrace *r = ctx;

		return handle_retransmit(ctx, r->skaddr, (void *)r->skbaddr, 0);
	}
}
