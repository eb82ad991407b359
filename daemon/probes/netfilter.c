// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter probe: packets an nftables base chain dropped (fexit or
 * kretprobe of nft_do_chain, met in the skb:kfree_skb chain) →
 * skbtrace_netfilter_drops_total{netns,family,table,chain,hook} and
 * skbtrace_netfilter_drop_stacks_total{netns,stack}.
 */
#include <errno.h>
#include <stdio.h>
#include "bpf_rodata.h"
#include "kernel_btf.h"
#include "netfilter.h"
#include "netfilter.skel.h"
#include "probe.h"
#include "series.h"

#define DO_CHAIN "nft_do_chain"

/* Function tracing only: no tracepoint tells a chain's verdict. */
static const enum attach_method nf_methods[] = { ATTACH_FENTRY, ATTACH_KPROBE };

/*
 * The kfree_skb half joins the tp_btf chain under either method: a kernel
 * that runs fexit or kprobes on nft_do_chain runs tp_btf too (5.5 and later).
 */
static const struct probe_program nf_programs[] = {
	/* In nf_tables' BTF, which nf_prepare() looks up. */
	{ ATTACH_FENTRY, "nf_fexit" },
	{ ATTACH_FENTRY, "nf_kfree_skb", .flags = PROBE_PROG_KFREE_SKB_CHAIN,
	  .chain = ATTACH_TP_BTF },
	{ ATTACH_KPROBE, "nf_kretprobe", DO_CHAIN },
	{ ATTACH_KPROBE, "nf_kprobe", DO_CHAIN },
	{ ATTACH_KPROBE, "nf_kfree_skb", .flags = PROBE_PROG_KFREE_SKB_CHAIN,
	  .chain = ATTACH_TP_BTF },
};

static const struct probe_map_limit nf_map_limits[] = {
	{ "nf_drops", PROBE_LIMIT_SERIES },
	{ "nf_stack_drops", PROBE_LIMIT_STACK_SERIES },
};

/* NFPROTO_* as nft(8) names the table families. */
static const char *family_name(const struct probe *p, uint64_t v, char *buf, size_t len)
{
	static const char *const names[] = {
		[1] = "inet", [2] = "ip", [3] = "arp", [5] = "netdev", [7] = "bridge", [10] = "ip6"
	};

	(void)p;
	if (v < sizeof(names) / sizeof(names[0]) && names[v])
		return names[v];
	snprintf(buf, len, "%u", (unsigned int)v);
	return buf;
}

/*
 * The hook number means what the family says, and the key holds both
 * (family at offset 4, hook at 5): the decoder of `hook` gets the two bytes
 * as one value.
 */
static const char *hook_name(const struct probe *p, uint64_t v, char *buf, size_t len)
{
	static const char *const inet[] = { "prerouting", "input",	 "forward",
					    "output",	  "postrouting", "ingress" };
	static const char *const arp[] = { "input", "output", "forward" };
	static const char *const netdev[] = { "ingress", "egress" };
	unsigned int family = v & 0xff, hook = (v >> 8) & 0xff;

	(void)p;
	switch (family) {
	case 1:
	case 2:
	case 7:
	case 10:
		if (hook < sizeof(inet) / sizeof(inet[0]))
			return inet[hook];
		break;
	case 3:
		if (hook < sizeof(arp) / sizeof(arp[0]))
			return arp[hook];
		break;
	case 5:
		if (hook < sizeof(netdev) / sizeof(netdev[0]))
			return netdev[hook];
		break;
	}
	snprintf(buf, len, "%u", hook);
	return buf;
}

static const struct series_desc nf_series[] = {
	{
		.name = "skbtrace_netfilter_drops_total",
		.help = "Packets dropped by an nftables base chain's verdict (freed with "
			"NETFILTER_DROP), by network namespace inode, table family, table, "
			"base chain and hook. A drop by a rule in a chain reached by jump or "
			"goto counts under its base chain. Exact.",
		.map = "nf_drops",
		.overflow = NF_DROPS_SLOT,
		.labels = { { "netns", SERIES_NETNS, SERIES_FIELD(struct netfilter_key, netns) },
			    { "family", SERIES_CUSTOM, SERIES_FIELD(struct netfilter_key, family),
			      .custom = family_name },
			    { "table", SERIES_STRING, SERIES_FIELD(struct netfilter_key, table) },
			    { "chain", SERIES_STRING, SERIES_FIELD(struct netfilter_key, chain) },
			    { "hook", SERIES_CUSTOM, .off = 4, .size = 2, .custom = hook_name } },
	},
	{
		.name = "skbtrace_netfilter_drop_stacks_total",
		.help = "Packets dropped by an nftables base chain's verdict by kernel stack "
			"(stable id, see skbtrace_stack_info and /stacks). Exact with "
			"stacks.mode=exact; otherwise only events whose stack was captured.",
		.map = "nf_stack_drops",
		.overflow = NF_STACK_DROPS_SLOT,
		.stacks = true,
		.labels = { { "netns", SERIES_NETNS,
			      SERIES_FIELD(struct netfilter_stack_key, netns) },
			    { "stack", SERIES_STACK,
			      SERIES_FIELD(struct netfilter_stack_key, stack_id) } },
	},
};

/* What the method needs of the running kernel; the drop reason it matches. */
static int nf_prepare(struct probe *p, struct bpf_object *obj, enum attach_method m,
		      const struct probe_env *env, char *err, size_t errlen)
{
	struct enum_names reasons;
	uint32_t reason = 0;
	bool has_reason;
	int ret;

	(void)p;
	(void)m;
	/*
	 * Both methods read nf_tables' structs through CO-RE, so both need its
	 * BTF: module BTF came in 5.11, and a module not loaded has none.
	 */
	if (btf_func_nargs(env->btf, "nf_tables", DO_CHAIN) < 0) {
		snprintf(err, errlen,
			 DO_CHAIN " is not in the BTF of vmlinux or nf_tables (module not "
				  "loaded: load a ruleset before the daemon starts; or no module "
				  "BTF, before 5.11)");
		return -ENOENT;
	}
	/* Without a reason (before 5.17) the freed skb's address alone matches the verdict. */
	has_reason = btf_tracepoint_nargs(env->btf, "kfree_skb") >= 3;
	if (has_reason) {
		if (enum_names_load(env->btf, "skb_drop_reason", "SKB_DROP_REASON_", &reasons)) {
			snprintf(err, errlen, "the kernel has no enum skb_drop_reason");
			return -ENOENT;
		}
		ret = enum_names_find(&reasons, "NETFILTER_DROP", &reason);
		enum_names_free(&reasons);
		if (ret) {
			snprintf(err, errlen, "the kernel has no drop reason NETFILTER_DROP");
			return -ENOENT;
		}
	}
	return bpf_rodata_set(obj, "has_reason", &has_reason, sizeof(has_reason))
		       ?: bpf_rodata_set(obj, "netfilter_drop_reason", &reason, sizeof(reason));
}

const struct probe_ops netfilter_probe_ops = {
	.name = "netfilter",
	.description = "packets dropped by an nftables base chain, by table, chain and hook "
		       "(nft_do_chain)",
	.filter_mask = FILTER_NETNS,
	/* fexit and kprobes are off on some kernels, nf_tables is a module on most. */
	.may_stay_unattached = true,
	.elf_bytes = netfilter_bpf__elf_bytes,
	PROBE_LIST(methods, nf_methods),
	PROBE_LIST(programs, nf_programs),
	PROBE_LIST(map_limits, nf_map_limits),
	.reason_kind = "drop reason",
	PROBE_LIST(series, nf_series),
	.prepare = nf_prepare,
};
