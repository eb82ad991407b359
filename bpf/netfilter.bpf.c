// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Netfilter probe: NETFILTER_DROP attributed to the nftables table, base
 * chain and hook whose verdict dropped the packet, per network namespace,
 * and per kernel stack within the stack policy.
 *
 * Two halves meet on the same CPU:
 *  - fexit of nft_do_chain (or kprobe + kretprobe where fexit is refused)
 *    sees every base chain's verdict;
 *  - the skb:kfree_skb chain program sees the packet freed with
 *    NETFILTER_DROP.
 * Which comes first depends on the kernel.  Before 6.8 nft_do_chain returns
 * NF_DROP and nf_hook_slow frees the packet after it: the verdict writes the
 * packet and its (netns, family, table, chain, hook) into this CPU's
 * pending slot, and the free counts it.  Since 6.8 (NF_DROP_REASON())
 * nft_do_chain frees the packet itself and returns NF_STOLEN: the free
 * notes the packet's address, and the verdict counts it when its packet is
 * that one.
 * nft_do_chain runs once per base chain; a rule in a chain reached by jump
 * or goto returns its verdict through it, so the drop is counted under the
 * base chain.  Accepted packets cost one compare of the verdict.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "netfilter.h"
#include "lib/stats.bpf.h"
#include "lib/skb_filter.bpf.h"
#include "lib/netns.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/compat.bpf.h"
#include "lib/chain.bpf.h"

#define NF_DROP_VERDICT 0
#define NF_STOLEN_VERDICT 2
#define NF_VERDICT_BITS 0xff
/* Nesting of nft_do_chain on one CPU: a task's hook, interrupted by softirq's. */
#define NF_MAX_DEPTH 4

char LICENSE[] SEC("license") = "GPL";

const volatile struct skbtrace_filter filter = {};
/* enum skb_drop_reason's NETFILTER_DROP, when skb:kfree_skb passes a reason (5.17). */
const volatile bool has_reason = false;
const volatile __u32 netfilter_drop_reason = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_series */
	__type(key, struct netfilter_key);
	__type(value, __u64);
} nf_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* limits.max_stack_series */
	__type(key, struct netfilter_stack_key);
	__type(value, __u64);
} nf_stack_drops SEC(".maps");

/*
 * This CPU's drop between its two halves: the packet of the last NF_DROP
 * verdict, until it is freed; the last packet freed with NETFILTER_DROP,
 * until a verdict NF_STOLEN claims it.
 */
struct nf_pending {
	__u64 skb;
	__u64 freed;
	struct netfilter_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nf_pending);
} nf_pending SEC(".maps");

/* The kprobe method's calls in progress on this CPU, innermost last. */
struct nf_calls {
	__u32 depth;
	__u32 pad;
	__u64 pkt[NF_MAX_DEPTH];
	__u64 chain[NF_MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nf_calls);
} nf_calls SEC(".maps");

static __always_inline const struct nf_hook_state *pkt_state(struct nft_pktinfo___skbtrace *pkt)
{
	if (bpf_core_field_exists(pkt->state))
		return BPF_CORE_READ(pkt, state);
	return BPF_CORE_READ((struct nft_pktinfo___skbtrace_xt *)pkt, xt.state);
}

/* Copies a kernel name; one that fills the buffer and goes on is cut, its end marked. */
static __always_inline void read_name(char *dst, const char *src)
{
	char next = 0;

	/* The key hashes all NF_NAME_LEN bytes: a shorter name must not keep an older tail. */
	__builtin_memset(dst, 0, NF_NAME_LEN);
	if (!src)
		return;
	if (bpf_probe_read_kernel_str(dst, NF_NAME_LEN, src) < NF_NAME_LEN)
		return;
	bpf_probe_read_kernel(&next, 1, src + NF_NAME_LEN - 1);
	if (next)
		dst[NF_NAME_LEN - 1] = 1;
}

static __always_inline void fill_key(struct netfilter_key *key, struct net *net,
				     const struct nf_hook_state *state,
				     struct nft_chain___skbtrace *chain)
{
	struct nft_table___skbtrace *table = BPF_CORE_READ(chain, table);

	key->netns = net_id(net);
	key->family = BPF_CORE_READ_BITFIELD_PROBED(table, family);
	key->hook = BPF_CORE_READ(state, hook);
	key->pad = 0;
	read_name(key->table, BPF_CORE_READ(table, name));
	read_name(key->chain, BPF_CORE_READ(chain, name));
}

static __always_inline void count_drop(void *ctx, struct nf_pending *pend)
{
	struct skbtrace_stats *s = stats_this_cpu();
	struct netfilter_stack_key skey = {};

	stat_inc(s, SKBTRACE_STAT_EVENTS);
	count_or_overflow(s, &nf_drops, &pend->key, 1, NF_DROPS_SLOT);
	if (!stack_wanted(s))
		return;
	skey.netns = pend->key.netns;
	skey.stack_id = stack_capture(ctx, s);
	count_or_overflow(s, &nf_stack_drops, &skey, 1, NF_STACK_DROPS_SLOT);
}

static __always_inline void handle_verdict(void *ctx, struct nft_pktinfo___skbtrace *pkt,
					   struct nft_chain___skbtrace *chain, unsigned int verdict)
{
	const struct nf_hook_state *state;
	struct nf_pending *pend;
	struct net *net;
	__u32 zero = 0;
	__u64 skb;

	/* NF_DROP_ERR() and NF_DROP_REASON() keep an errno above the low byte. */
	verdict &= NF_VERDICT_BITS;
	if (verdict != NF_DROP_VERDICT && verdict != NF_STOLEN_VERDICT)
		return;
	pend = bpf_map_lookup_elem(&nf_pending, &zero);
	if (!pend)
		return;
	/* The packet is gone when stolen: only its address is compared. */
	skb = (__u64)BPF_CORE_READ(pkt, skb);
	if (verdict == NF_STOLEN_VERDICT && (!pend->freed || pend->freed != skb))
		return;
	state = pkt_state(pkt);
	net = BPF_CORE_READ(state, net);
	/* The filter names inodes; keys hold the id (lib/netns.bpf.h). */
	if (filter.n_netns && !filter_netns_ok(&filter, net_inum(net))) {
		stat_inc(stats_this_cpu(), SKBTRACE_STAT_FILTERED);
		pend->skb = 0;
		pend->freed = 0;
		return;
	}
	fill_key(&pend->key, net, state, chain);
	if (verdict == NF_DROP_VERDICT) {
		pend->skb = skb;
		return;
	}
	pend->freed = 0;
	count_drop(ctx, pend);
}

/* unsigned int nft_do_chain(struct nft_pktinfo *pkt, void *priv): priv is the base chain. */
SEC("fexit/nft_do_chain")
int nf_fexit(__u64 *ctx)
{
	handle_verdict(ctx, (struct nft_pktinfo___skbtrace *)ctx[0],
		       (struct nft_chain___skbtrace *)ctx[1], (unsigned int)ctx[2]);
	return 0;
}

SEC("kprobe/nft_do_chain")
int BPF_KPROBE(nf_kprobe, struct nft_pktinfo___skbtrace *pkt, struct nft_chain___skbtrace *chain)
{
	__u32 zero = 0, d;
	struct nf_calls *c = bpf_map_lookup_elem(&nf_calls, &zero);

	if (!c)
		return 0;
	d = c->depth;
	/* Deeper than the slots: counted in depth only, so that returns pair up. */
	if (d < NF_MAX_DEPTH) {
		c->pkt[d] = (__u64)pkt;
		c->chain[d] = (__u64)chain;
	}
	c->depth = d + 1;
	return 0;
}

SEC("kretprobe/nft_do_chain")
int BPF_KRETPROBE(nf_kretprobe, unsigned int verdict)
{
	__u32 zero = 0, d;
	struct nf_calls *c = bpf_map_lookup_elem(&nf_calls, &zero);

	if (!c || !c->depth)
		return 0;
	d = --c->depth;
	if (d < NF_MAX_DEPTH)
		handle_verdict(ctx, (struct nft_pktinfo___skbtrace *)c->pkt[d],
			       (struct nft_chain___skbtrace *)c->chain[d], verdict);
	return 0;
}

/* In the skb:kfree_skb chain (lib/chain.bpf.h), whichever method found the verdicts. */
SEC("tp_btf/kfree_skb")
int nf_kfree_skb(__u64 *ctx)
{
	struct nf_pending *pend;
	__u32 zero = 0;

	if (!has_reason || (__u32)ctx[2] == netfilter_drop_reason) {
		pend = bpf_map_lookup_elem(&nf_pending, &zero);
		if (pend && pend->skb && pend->skb == ctx[0]) {
			count_drop(ctx, pend);
			pend->skb = 0;
		} else if (pend) {
			/* Freed inside nft_do_chain (6.8 and later): its verdict will claim it. */
			pend->freed = ctx[0];
		}
	}
	kfree_skb_chain_next(ctx);
	return 0;
}
