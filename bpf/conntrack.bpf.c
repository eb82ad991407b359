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
 * bpf_rdonly_cast() (6.2 and later) turns a number into a pointer the
 * program may load from directly: a plain load, where a
 * bpf_probe_read_kernel() call costs a helper call.  Weak: only the program
 * that uses it is loaded where the kernel has it (daemon/probes/conntrack.c).
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/*
 * The address of this CPU's net->ct.stat, as a number; false when conntrack
 * never ran there.  The verifier allows no arithmetic on a pointer it
 * tracks, so the per-CPU base is read, not loaded, even from a BTF pointer.
 */
static __always_inline bool ct_stat_addr(struct net *net, __u64 *stat, __u64 *addr)
{
	__u64 off;

	*stat = (__u64)BPF_CORE_READ(net, ct.stat);
	if (!*stat || !this_cpu_offset(&off))
		return false;
	*addr = *stat + off;
	return true;
}

/* The drop statistic at addr: a plain load where the kernel has bpf_rdonly_cast(). */
static __always_inline bool read_ct_drop(__u64 addr, __u32 *out, bool direct)
{
	if (direct) {
		struct ip_conntrack_stat *stat = bpf_rdonly_cast(
			(void *)addr, bpf_core_type_id_kernel(struct ip_conntrack_stat));

		*out = stat->drop;
		return true;
	}
	return !bpf_probe_read_kernel(
		out, sizeof(*out),
		(void *)(addr + bpf_core_field_offset(struct ip_conntrack_stat, drop)));
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

/*
 * The last value per (namespace, CPU) is in the hash ct_last_drop, which
 * the daemon seeds and sweeps; a lookup there, and the two reads that find
 * this CPU's statistics, cost most of an event.  This CPU's direct-mapped
 * copy of recent entries (struct ct_drop_cache), with the address of the
 * namespace's statistics on this CPU, answers the common case, a statistic
 * that has not moved, with a few loads.  The hash is written whenever the
 * value moves, so the copy never holds anything the hash lacks, and may be
 * overwritten at any time.  Only with net cookies as ids, never reused: a
 * new namespace may get a dead one's inode at once, and the daemon's sweep
 * of the dead one's key cannot reach this copy.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_drop_cache);
} ct_drop_cache SEC(".maps");

static __always_inline struct ct_drop_slot *drop_slot(__u32 netns)
{
	struct ct_drop_cache *c;
	__u32 zero = 0;

	if (!netns_by_cookie || !netns_has_cookie())
		return NULL;
	c = bpf_map_lookup_elem(&ct_drop_cache, &zero);
	if (!c)
		return NULL;
	return &c->slot[(netns * 0x9e3779b1u) >> (32 - CT_DROP_CACHE_BITS)];
}

/* Events: the NETFILTER_DROPs of untracked packets, the only ones it examines. */
static __always_inline void handle_netfilter_drop(void *ctx, struct sk_buff *skb, bool direct)
{
	struct skbtrace_stats *s;
	struct ct_cpu_key ck = {};
	struct ct_drop_slot *slot;
	struct net *net;
	__u32 cur, prev, *last;
	__u64 stat, addr;

	if (!may_be_table_full(skb))
		return;
	s = stats_this_cpu();
	stat_inc(s, SKBTRACE_STAT_EVENTS);
	net = skb_net_btf(skb);
	if (!net || !netns_wanted(s, net))
		return;
	ck.netns = net_id_btf(net);
	slot = drop_slot(ck.netns);
	/*
	 * The statistics move when nf_conntrack is reloaded: the slot holds
	 * where they were, compared with a plain load.
	 */
	if (slot && slot->addr && slot->netns == ck.netns && slot->stat == (__u64)net->ct.stat) {
		if (!read_ct_drop(slot->addr, &cur, direct) || cur == slot->last)
			return;
		stat = slot->stat;
		addr = slot->addr;
	} else if (!ct_stat_addr(net, &stat, &addr) || !read_ct_drop(addr, &cur, direct)) {
		return;
	}
	ck.cpu = bpf_get_smp_processor_id();
	last = bpf_map_lookup_elem(&ct_last_drop, &ck);
	/* The daemon seeded the namespaces that existed at start; newer ones began at zero. */
	prev = last ? *last : 0;
	if (last) {
		*last = cur;
	} else if (bpf_map_update_elem(&ct_last_drop, &ck, &cur, BPF_ANY)) {
		overflow_add(s, CT_DROPS_SLOT, 0); /* an event, not a drop: no seed to count from */
		addr = 0;			   /* not in the hash: not cached either */
	}
	if (slot) {
		slot->netns = ck.netns;
		slot->last = cur;
		slot->stat = stat;
		slot->addr = addr;
	}
	/* Unsigned subtraction survives the 32-bit counter wrapping. */
	if (cur != prev)
		count_table_full(ctx, s, ck.netns, cur - prev);
}

/* In the skb:kfree_skb chain (lib/chain.bpf.h). */
SEC("tp_btf/kfree_skb")
int ct_tp_btf(__u64 *ctx)
{
	if ((__u32)ctx[2] == netfilter_drop_reason)
		handle_netfilter_drop(ctx, (struct sk_buff *)ctx[0], true);
	kfree_skb_chain_next(ctx);
	return 0;
}

/* The same before bpf_rdonly_cast() (5.17 to 6.1): the statistic by probe read. */
SEC("tp_btf/kfree_skb")
int ct_tp_btf_read(__u64 *ctx)
{
	if ((__u32)ctx[2] == netfilter_drop_reason)
		handle_netfilter_drop(ctx, (struct sk_buff *)ctx[0], false);
	kfree_skb_chain_next(ctx);
	return 0;
}
