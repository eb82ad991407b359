// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Drop probe: counts every skb freed through skb:kfree_skb per reason,
 * location and network namespace, and per kernel stack within the stack
 * policy.  Nothing is sent to user space per event; the daemon reads the
 * maps when Prometheus scrapes.
 *
 * Three programs, one per attach method, run the same handler; the daemon
 * autoloads exactly one of them, the best the running kernel allows, and
 * puts it into the skb:kfree_skb chain (lib/chain.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "drop.h"
#include "lib/stats.bpf.h"
#include "lib/count_cache.bpf.h"
#include "lib/skb_filter.bpf.h"
#include "lib/netns.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/compat.bpf.h"
#include "lib/chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct skbtrace_filter filter = {};
/* Whether the tracepoint passes a reason (5.17+); decided from BTF by the daemon. */
const volatile bool has_reason = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_series */
	__type(key, struct drop_key);
	__type(value, __u64);
} drop_counts SEC(".maps");

COUNT_CACHE_MAP(drop_count_cache);
COUNT_CACHE_MAP(drop_stack_cache);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_stack_series */
	__type(key, struct drop_stack_key);
	__type(value, __u64);
} drop_stack_counts SEC(".maps");

/* Frees cache slots of namespaces that are gone, on the CPU it runs on. */
COUNT_CACHE_SWEEPER(drop_cache_sweep, drop_count_cache, drop_stack_cache)

/* btf: skb is a BTF pointer (tp_btf), so fields may be loaded directly. */
static __always_inline int handle_drop(void *ctx, struct sk_buff *skb, __u64 location, __u32 reason,
				       bool btf)
{
	struct skbtrace_stats *s = stats_this_cpu();
	struct drop_key key = {};
	struct drop_stack_key skey = {};
	struct net *net;
	__u32 netns;

	stat_inc(s, SKBTRACE_STAT_EVENTS);
	if (!filter_reason_ok(&filter, reason))
		goto filtered;
	net = btf ? skb_net_btf(skb) : skb_net(skb);
	/* The filter names inodes; the key holds the id (lib/netns.bpf.h). */
	if (filter.n_netns && !filter_netns_ok(&filter, btf ? net_inum_btf(net) : net_inum(net)))
		goto filtered;
	netns = btf ? net_id_btf(net) : net_id(net);
	if (filter_needs_flow(&filter)) {
		struct skb_flow flow;

		skb_read_flow(skb, &flow);
		if (!filter_flow_ok(&filter, &flow))
			goto filtered;
	}

	key.reason = reason;
	key.netns = netns;
	key.location = location;
	if (!count_cached(&drop_count_cache, &drop_counts, &key))
		overflow_add(s, DROP_COUNTS_SLOT, 1);

	if (!stack_wanted(s))
		return 0;
	skey.reason = reason;
	skey.netns = netns;
	skey.stack_id = stack_capture(ctx, s);
	if (!count_cached(&drop_stack_cache, &drop_stack_counts, &skey))
		overflow_add(s, DROP_STACK_COUNTS_SLOT, 1);
	return 0;

filtered:
	stat_inc(s, SKBTRACE_STAT_FILTERED);
	return 0;
}

/* tp_btf and raw_tp see the tracepoint's arguments: (skb, location[, reason[, rx_sk]]). */
SEC("tp_btf/kfree_skb")
int drop_tp_btf(__u64 *ctx)
{
	handle_drop(ctx, (struct sk_buff *)ctx[0], ctx[1],
		    has_reason ? (__u32)ctx[2] : SKBTRACE_REASON_UNKNOWN, true);
	kfree_skb_chain_next(ctx);
	return 0;
}

SEC("raw_tp/kfree_skb")
int drop_raw_tp(__u64 *ctx)
{
	handle_drop(ctx, (struct sk_buff *)ctx[0], ctx[1],
		    has_reason ? (__u32)ctx[2] : SKBTRACE_REASON_UNKNOWN, false);
	kfree_skb_chain_next(ctx);
	return 0;
}

SEC("tracepoint/skb/kfree_skb")
int drop_tracepoint(struct trace_event_raw_kfree_skb___skbtrace *ctx)
{
	__u32 reason = SKBTRACE_REASON_UNKNOWN;

	/* The record is the context: plain loads at offsets CO-RE relocates, no helper call. */
	if (bpf_core_field_exists(ctx->reason))
		reason = ctx->reason;
	handle_drop(ctx, ctx->skbaddr, (__u64)ctx->location, reason, false);
	kfree_skb_chain_next(ctx);
	return 0;
}
