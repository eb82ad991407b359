// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Reset probe: counts every TCP RST the host sends or receives per
 * direction, origin, reset reason, socket state and network namespace, and
 * per kernel stack within the stack policy.  Also counts accept-queue
 * overflows that reset the handshake (tcp_abort_on_overflow=1), per port.
 *
 * Each attach method has its own programs, one for sent and one for received
 * resets (fentry and kprobe need one per kernel function); the daemon
 * autoloads only the programs of the method it tries.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "reset.h"
#include "lib/stats.bpf.h"
#include "lib/skb_filter.bpf.h"
#include "lib/sock_flow.bpf.h"
#include "lib/netns.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/compat.bpf.h"
#include "lib/chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct skbtrace_filter filter = {};
/* Whether tcp_send_reset and the reset functions pass a reason (6.10+); from BTF. */
const volatile bool has_reason = false;
/* TCP_LISTEN of the running kernel, from BTF. */
const volatile __u32 tcp_listen_state = 0xffffffff;
/* SKB_DROP_REASON_TCP_LISTEN_OVERFLOW (6.15+), from BTF; unknown: no overflow drops counted. */
const volatile __u32 listen_overflow_reason = SKBTRACE_REASON_UNKNOWN;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_series */
	__type(key, struct reset_key);
	__type(value, __u64);
} reset_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_stack_series */
	__type(key, struct reset_stack_key);
	__type(value, __u64);
} reset_stack_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_series */
	__type(key, struct listen_overflow_key);
	__type(value, __u64);
} listen_overflow_counts SEC(".maps");

static __always_inline void count_overflow(const struct sock *sk, __u32 netns)
{
	struct listen_overflow_key key = {};

	key.netns = netns;
	key.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	count_or_overflow(stats_this_cpu(), &listen_overflow_counts, &key, 1,
			  LISTEN_OVERFLOW_COUNTS_SLOT);
}

/*
 * sk may be NULL (a segment to no socket); skb is the segment that caused a
 * passive reset, NULL for active and received ones.
 */
static __always_inline int handle_reset(void *ctx, const struct sock *sk, struct sk_buff *skb,
					__u8 direction, __u8 origin, __u32 reason)
{
	struct skbtrace_stats *s = stats_this_cpu();
	struct reset_key key = {};
	struct reset_stack_key skey = {};
	struct net *net;
	__u32 netns;

	stat_inc(s, SKBTRACE_STAT_EVENTS);
	if (!filter_reason_ok(&filter, reason))
		goto filtered;
	net = sk ? sock_net_of((struct sock *)sk) : skb_net(skb);
	/* The filter names inodes; keys hold the id (lib/netns.bpf.h). */
	if (filter.n_netns && !filter_netns_ok(&filter, net_inum(net)))
		goto filtered;
	netns = net_id(net);
	if (filter_needs_flow(&filter)) {
		struct skb_flow flow;

		/* A listener knows no peer: the segment tells both sides. */
		if (skb)
			skb_read_flow_local(skb, &flow);
		else
			sock_read_flow(sk, &flow);
		if (!filter_flow_ok(&filter, &flow))
			goto filtered;
	}

	key.direction = direction;
	key.origin = origin;
	key.state = sk ? BPF_CORE_READ(sk, __sk_common.skc_state) : RESET_STATE_NONE;
	key.reason = reason;
	key.netns = netns;
	count_or_overflow(s, &reset_counts, &key, 1, RESET_COUNTS_SLOT);
	/*
	 * A reset answering a segment at a listener whose accept queue is full is
	 * a handshake that tcp_abort_on_overflow aborted.  Kernels that name the
	 * drop reason free that segment with TCP_LISTEN_OVERFLOW too, and
	 * handle_drop counts it there.
	 */
	if (listen_overflow_reason == SKBTRACE_REASON_UNKNOWN && sk && skb &&
	    key.state == tcp_listen_state &&
	    BPF_CORE_READ(sk, sk_ack_backlog) > BPF_CORE_READ(sk, sk_max_ack_backlog))
		count_overflow(sk, netns);

	if (!stack_wanted(s))
		return 0;
	skey.direction = direction;
	skey.origin = origin;
	skey.netns = netns;
	skey.stack_id = stack_capture(ctx, s);
	count_or_overflow(s, &reset_stack_counts, &skey, 1, RESET_STACK_COUNTS_SLOT);
	return 0;

filtered:
	stat_inc(s, SKBTRACE_STAT_FILTERED);
	return 0;
}

/*
 * tcp_send_reset(sk, skb[, reason]): tcp_v4/v6_send_reset pass the segment
 * being answered, tcp_send_active_reset passes none.
 */
static __always_inline int handle_send_tp(void *ctx, const struct sock *sk, struct sk_buff *skb,
					  __u32 reason)
{
	return handle_reset(ctx, sk, skb, RESET_SENT, skb ? RESET_PASSIVE : RESET_ACTIVE,
			    has_reason ? reason : SKBTRACE_REASON_UNKNOWN);
}

static __always_inline int handle_receive(void *ctx, const struct sock *sk)
{
	return handle_reset(ctx, sk, NULL, RESET_RECEIVED, RESET_PEER, SKBTRACE_REASON_UNKNOWN);
}

SEC("tp_btf/tcp_send_reset")
int reset_send_tp_btf(__u64 *ctx)
{
	return handle_send_tp(ctx, (void *)ctx[0], (void *)ctx[1], has_reason ? ctx[2] : 0);
}

SEC("tp_btf/tcp_receive_reset")
int reset_receive_tp_btf(__u64 *ctx)
{
	return handle_receive(ctx, (void *)ctx[0]);
}

SEC("raw_tp/tcp_send_reset")
int reset_send_raw_tp(__u64 *ctx)
{
	return handle_send_tp(ctx, (void *)ctx[0], (void *)ctx[1], has_reason ? ctx[2] : 0);
}

SEC("raw_tp/tcp_receive_reset")
int reset_receive_raw_tp(__u64 *ctx)
{
	return handle_receive(ctx, (void *)ctx[0]);
}

SEC("tracepoint/tcp/tcp_send_reset")
int reset_send_tracepoint(void *ctx)
{
	/* The record is the context: plain loads at offsets CO-RE relocates. */
	if (bpf_core_type_exists(struct trace_event_raw_tcp_send_reset___skbtrace)) {
		struct trace_event_raw_tcp_send_reset___skbtrace *r = ctx;
		__u32 reason = 0;

		if (bpf_core_field_exists(r->reason))
			reason = r->reason;
		return handle_send_tp(ctx, r->skaddr, (void *)r->skbaddr, reason);
	} else {
		struct trace_event_raw_tcp_event_sk_skb___skbtrace *r = ctx;

		return handle_send_tp(ctx, r->skaddr, (void *)r->skbaddr, 0);
	}
}

SEC("tracepoint/tcp/tcp_receive_reset")
int reset_receive_tracepoint(struct trace_event_raw_tcp_event_sk___skbtrace *ctx)
{
	return handle_receive(ctx, ctx->skaddr);
}

/*
 * Without tcp_abort_on_overflow the kernel drops the handshake's last segment
 * instead (6.15+: reason TCP_LISTEN_OVERFLOW, rx_sk the listener).
 */
static __always_inline int handle_drop(struct sk_buff *skb, __u32 reason, const struct sock *sk)
{
	struct net *net;

	if (reason != listen_overflow_reason || !sk)
		return 0;
	net = sock_net_of((struct sock *)sk);
	if (filter.n_netns && !filter_netns_ok(&filter, net_inum(net)))
		return 0;
	if (filter_needs_flow(&filter)) {
		struct skb_flow flow;

		skb_read_flow_local(skb, &flow);
		if (!filter_flow_ok(&filter, &flow))
			return 0;
	}
	count_overflow(sk, net_id(net));
	return 0;
}

/*
 * Autoloaded only when the kernel's kfree_skb passes the reason and rx_sk
 * (args 2 and 3); they run in the skb:kfree_skb chain (lib/chain.bpf.h).
 */
SEC("tp_btf/kfree_skb")
int reset_ovf_tp_btf(__u64 *ctx)
{
	handle_drop((void *)ctx[0], ctx[2], (void *)ctx[3]);
	kfree_skb_chain_next(ctx);
	return 0;
}

SEC("raw_tp/kfree_skb")
int reset_ovf_raw_tp(__u64 *ctx)
{
	handle_drop((void *)ctx[0], ctx[2], (void *)ctx[3]);
	kfree_skb_chain_next(ctx);
	return 0;
}

SEC("tracepoint/skb/kfree_skb")
int reset_ovf_tracepoint(struct trace_event_raw_kfree_skb___skbtrace *ctx)
{
	if (bpf_core_field_exists(ctx->reason) && bpf_core_field_exists(ctx->rx_sk))
		handle_drop((void *)ctx->skbaddr, ctx->reason, ctx->rx_sk);
	kfree_skb_chain_next(ctx);
	return 0;
}

/*
 * Function entry: tcp_v4/v6_send_reset(sk, skb[, reason]),
 * tcp_send_active_reset(sk, priority[, reason]), tcp_reset(sk[, skb]).
 */
SEC("fentry/tcp_v4_send_reset")
int reset_v4_fentry(__u64 *ctx)
{
	return handle_reset(ctx, (void *)ctx[0], (void *)ctx[1], RESET_SENT, RESET_PASSIVE,
			    has_reason ? (__u32)ctx[2] : SKBTRACE_REASON_UNKNOWN);
}

SEC("fentry/tcp_v6_send_reset")
int reset_v6_fentry(__u64 *ctx)
{
	return handle_reset(ctx, (void *)ctx[0], (void *)ctx[1], RESET_SENT, RESET_PASSIVE,
			    has_reason ? (__u32)ctx[2] : SKBTRACE_REASON_UNKNOWN);
}

SEC("fentry/tcp_send_active_reset")
int reset_active_fentry(__u64 *ctx)
{
	return handle_reset(ctx, (void *)ctx[0], NULL, RESET_SENT, RESET_ACTIVE,
			    has_reason ? (__u32)ctx[2] : SKBTRACE_REASON_UNKNOWN);
}

SEC("fentry/tcp_reset")
int reset_receive_fentry(__u64 *ctx)
{
	return handle_receive(ctx, (void *)ctx[0]);
}

SEC("kprobe/tcp_v4_send_reset")
int BPF_KPROBE(reset_v4_kprobe, const struct sock *sk, struct sk_buff *skb, __u32 reason)
{
	return handle_reset(ctx, sk, skb, RESET_SENT, RESET_PASSIVE,
			    has_reason ? reason : SKBTRACE_REASON_UNKNOWN);
}

SEC("kprobe/tcp_v6_send_reset")
int BPF_KPROBE(reset_v6_kprobe, const struct sock *sk, struct sk_buff *skb, __u32 reason)
{
	return handle_reset(ctx, sk, skb, RESET_SENT, RESET_PASSIVE,
			    has_reason ? reason : SKBTRACE_REASON_UNKNOWN);
}

SEC("kprobe/tcp_send_active_reset")
int BPF_KPROBE(reset_active_kprobe, const struct sock *sk, __u64 priority, __u32 reason)
{
	return handle_reset(ctx, sk, NULL, RESET_SENT, RESET_ACTIVE,
			    has_reason ? reason : SKBTRACE_REASON_UNKNOWN);
}

SEC("kprobe/tcp_reset")
int BPF_KPROBE(reset_receive_kprobe, const struct sock *sk)
{
	return handle_receive(ctx, sk);
}
