// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Conntrack probe: packets dropped because the conntrack table was full,
 * per network namespace and per kernel stack.
 *
 * Seen from the drop path such a packet is just NETFILTER_DROP at
 * nf_hook_slow, so the probe watches the place that knows why:
 *  - fexit, or kprobe + kretprobe, on __nf_conntrack_alloc returning
 *    ERR_PTR(-ENOMEM): where kernels allow function tracing;
 *  - tp_btf skb:kfree_skb with reason NETFILTER_DROP, reading this CPU's
 *    net->ct.stat->drop, which conntrack increments just before the hook
 *    drops the packet: the per-CPU increments are the table-full drops.
 * The daemon autoloads the programs of exactly one method.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "conntrack.h"
#include "lib/stats.bpf.h"
#include "lib/skb_filter.bpf.h"
#include "lib/netns.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/percpu.bpf.h"
#include "lib/chain.bpf.h"

#define CT_ENOMEM 12

char LICENSE[] SEC("license") = "GPL";

const volatile struct skbtrace_filter filter = {};
/* enum skb_drop_reason's NETFILTER_DROP of the running kernel, from BTF. */
const volatile __u32 netfilter_drop_reason = 0;
/* Arguments of __nf_conntrack_alloc: its return value follows them in an fexit context. */
const volatile __u32 alloc_nargs = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_series */
	__type(key, struct ct_key);
	__type(value, __u64);
} ct_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_stack_series */
	__type(key, struct ct_stack_key);
	__type(value, __u64);
} ct_stack_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* limits.max_series × possible CPUs */
	__type(key, struct ct_cpu_key);
	__type(value, __u32);
} ct_last_drop SEC(".maps");

/*
 * The __nf_conntrack_alloc call in progress on this CPU, for the kretprobe.
 * Conntrack allocates in softirq or with softirqs off, so calls do not nest.
 */
struct alloc_call {
	__u64 net;
	__s32 stack_id;
	__u32 has_stack;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct alloc_call);
} alloc_call SEC(".maps");

/* The filter names inodes; keys hold the id (lib/netns.bpf.h). */
static __always_inline bool netns_wanted(struct skbtrace_stats *s, struct net *net)
{
	if (!filter.n_netns || filter_netns_ok(&filter, net_inum(net)))
		return true;
	stat_inc(s, SKBTRACE_STAT_FILTERED);
	return false;
}

static __always_inline void count_drops(struct skbtrace_stats *s, __u32 netns, __u64 n)
{
	struct ct_key key = { .netns = netns };

	count_or_overflow(s, &ct_drops, &key, n, CT_DROPS_SLOT);
}

static __always_inline void count_stack(struct skbtrace_stats *s, __u32 netns, __s32 stack_id,
					__u64 n)
{
	struct ct_stack_key skey = { .netns = netns, .stack_id = stack_id };

	count_or_overflow(s, &ct_stack_drops, &skey, n, CT_STACK_DROPS_SLOT);
}

static __always_inline void count_table_full(void *ctx, struct skbtrace_stats *s, __u32 netns,
					     __u64 n)
{
	count_drops(s, netns, n);
	if (!stack_wanted(s))
		return;
	count_stack(s, netns, stack_capture(ctx, s), n);
}

static __always_inline int handle_alloc_ret(void *ctx, struct net *net, long ret)
{
	struct skbtrace_stats *s = stats_this_cpu();

	stat_inc(s, SKBTRACE_STAT_EVENTS);
	/* A full table is the only reason for -ENOMEM besides the slab allocation failing. */
	if (ret != -CT_ENOMEM)
		return 0;
	if (netns_wanted(s, net))
		count_table_full(ctx, s, net_id(net), 1);
	return 0;
}

SEC("fexit/__nf_conntrack_alloc")
int ct_fexit(__u64 *ctx)
{
	/*
	 * Constant indexes only, one call each: the verifier refuses a variable
	 * context offset, which clang makes of a switch that only picks the slot.
	 */
	switch (alloc_nargs) {
	case 5:
		return handle_alloc_ret(ctx, (struct net *)ctx[0], (long)ctx[5]);
	case 6:
		return handle_alloc_ret(ctx, (struct net *)ctx[0], (long)ctx[6]);
	case 7:
		return handle_alloc_ret(ctx, (struct net *)ctx[0], (long)ctx[7]);
	default:
		return 0;
	}
}

/*
 * A kretprobe's stack ends at the kretprobe trampoline on older kernels
 * (5.10 shows only that frame), so the stack is taken at entry, within the
 * stack policy: failing allocations share the budget with successful ones.
 */
SEC("kprobe/__nf_conntrack_alloc")
int BPF_KPROBE(ct_kprobe, struct net *net)
{
	__u32 zero = 0;
	struct alloc_call *call = bpf_map_lookup_elem(&alloc_call, &zero);

	if (!call)
		return 0;
	call->net = (__u64)net;
	/* Counted as skipped at return, and only if the allocation failed. */
	call->has_stack = stack_budget_allows(stats_this_cpu());
	if (call->has_stack)
		call->stack_id = bpf_get_stackid(ctx, &stack_traces, 0);
	return 0;
}

SEC("kretprobe/__nf_conntrack_alloc")
int BPF_KRETPROBE(ct_kretprobe, long ret)
{
	struct skbtrace_stats *s = stats_this_cpu();
	__u32 zero = 0, netns;
	struct alloc_call *call = bpf_map_lookup_elem(&alloc_call, &zero);

	stat_inc(s, SKBTRACE_STAT_EVENTS);
	if (!call || ret != -CT_ENOMEM)
		return 0;
	if (!netns_wanted(s, (struct net *)call->net))
		return 0;
	netns = net_id((struct net *)call->net);
	count_drops(s, netns, 1);
	if (!call->has_stack) {
		if (stack_policy.mode != SKBTRACE_STACKS_OFF)
			stat_inc(s, SKBTRACE_STAT_STACK_SKIPPED);
		return 0;
	}
	if (call->stack_id < 0)
		stat_inc(s, SKBTRACE_STAT_STACK_LOST);
	else
		stat_inc(s, SKBTRACE_STAT_STACK_CAPTURED);
	count_stack(s, netns, call->stack_id < 0 ? SKBTRACE_STACK_LOST : call->stack_id, 1);
	return 0;
}

/*
 * This CPU's value of net->ct.stat->drop; false when conntrack never ran
 * there.  The per-CPU base is read, not loaded, even from a BTF pointer:
 * the verifier allows no arithmetic on a pointer it tracks.
 */
static __always_inline bool read_ct_drop(struct net *net, __u32 *out)
{
	struct ip_conntrack_stat *stat = BPF_CORE_READ(net, ct.stat);
	__u64 off;

	if (!stat || !this_cpu_offset(&off))
		return false;
	return !bpf_probe_read_kernel(
		out, sizeof(*out),
		(void *)((__u64)stat + off +
			 bpf_core_field_offset(struct ip_conntrack_stat, drop)));
}

/*
 * A packet that carries a conntrack entry was not dropped for want of one,
 * so the per-CPU statistic is read only for packets without: on a firewall
 * dropping tracked traffic by rule, that is none of them.
 */
static __always_inline bool may_be_table_full(struct sk_buff *skb)
{
	if (bpf_core_field_exists(skb->_nfct))
		return !skb->_nfct;
	return true;
}

/* Events: the NETFILTER_DROPs of untracked packets, the only ones it examines. */
static __always_inline void handle_netfilter_drop(void *ctx, struct sk_buff *skb)
{
	struct skbtrace_stats *s;
	struct ct_cpu_key ck = {};
	struct net *net;
	__u32 cur, prev, *last;

	if (!may_be_table_full(skb))
		return;
	s = stats_this_cpu();
	stat_inc(s, SKBTRACE_STAT_EVENTS);
	net = skb_net_btf(skb);
	if (!net || !read_ct_drop(net, &cur))
		return;
	if (!netns_wanted(s, net))
		return;
	ck.netns = net_id_btf(net);
	ck.cpu = bpf_get_smp_processor_id();
	last = bpf_map_lookup_elem(&ct_last_drop, &ck);
	/* The daemon seeded the namespaces that existed at start; newer ones began at zero. */
	prev = last ? *last : 0;
	if (last)
		*last = cur;
	else if (bpf_map_update_elem(&ct_last_drop, &ck, &cur, BPF_ANY))
		overflow_add(s, CT_DROPS_SLOT, 0); /* an event, not a drop: no seed to count from */
	/* Unsigned subtraction survives the 32-bit counter wrapping. */
	if (cur != prev)
		count_table_full(ctx, s, ck.netns, cur - prev);
}

/* In the skb:kfree_skb chain (lib/chain.bpf.h). */
SEC("tp_btf/kfree_skb")
int ct_tp_btf(__u64 *ctx)
{
	if ((__u32)ctx[2] == netfilter_drop_reason)
		handle_netfilter_drop(ctx, (struct sk_buff *)ctx[0]);
	kfree_skb_chain_next(ctx);
	return 0;
}
