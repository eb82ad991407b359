// SPDX-License-Identifier: GPL-2.0
/*
 * Drop probe: skb:kfree_skb → skbtrace_drops_total{reason,location,netns}
 * and skbtrace_drop_stacks_total{reason,netns,stack}.
 */
#include <errno.h>
#include <stdio.h>
#include "drop.h"
#include "drop.skel.h"
#include "bpf_rodata.h"
#include "probe.h"
#include "series.h"

enum { REASONS, REASON_SUBSYSTEMS };

static const enum attach_method drop_methods[] = { ATTACH_TP_BTF, ATTACH_RAW_TP,
						   ATTACH_TRACEPOINT };
/*
 * A tp_btf or raw_tp program's stack walk starts in the program's own JITed
 * frame, which the unwinder can only find through its slow paths; a classic
 * tracepoint hands over the registers of the tracepoint's caller.  When
 * every drop walks its stack, that outweighs the classic tracepoint's
 * dearer dispatch (docs/performance.md).  With a filter, the dispatch is
 * paid for every drop and the walk saved only for the few that pass.
 */
static const enum attach_method drop_every_stack_methods[] = { ATTACH_TRACEPOINT, ATTACH_TP_BTF,
							       ATTACH_RAW_TP };

_Static_assert(sizeof(drop_methods) == sizeof(drop_every_stack_methods),
	       "both orders have the same number of methods");

static const enum attach_method *drop_methods_for(const struct probe_config *cfg)
{
	if (cfg->stacks.mode == SKBTRACE_STACKS_EXACT && !cfg->filter.set)
		return drop_every_stack_methods;
	return drop_methods;
}

/* Each runs in the kfree_skb chain, which the dispatcher attaches. */
static const struct probe_program drop_programs[] = {
	{ ATTACH_TP_BTF, "drop_tp_btf", .flags = PROBE_PROG_KFREE_SKB_CHAIN },
	{ ATTACH_RAW_TP, "drop_raw_tp", .flags = PROBE_PROG_KFREE_SKB_CHAIN },
	{ ATTACH_TRACEPOINT, "drop_tracepoint", .flags = PROBE_PROG_KFREE_SKB_CHAIN },
};

static const struct probe_map_limit drop_map_limits[] = {
	{ "drop_counts", PROBE_LIMIT_SERIES },
	{ "drop_stack_counts", PROBE_LIMIT_STACK_SERIES },
};

_Static_assert(sizeof(struct drop_key) == sizeof(((struct skbtrace_count_slot *)0)->key) &&
		       sizeof(struct drop_stack_key) == sizeof(struct drop_key),
	       "both drop count maps go through a count cache of 16-byte keys");

/*
 * The label of a reason: its name, or since 6.4, where the upper 16 bits
 * name a subsystem (enum skb_drop_reason_subsys), "SUBSYS:code".
 */
static const char *reason_label(const struct probe *p, uint64_t value, char *buf, size_t len)
{
	const uint32_t v = (uint32_t)value, shift = 16;
	const char *name, *subsys;

	if (v == SKBTRACE_REASON_UNKNOWN)
		return "unknown";
	name = enum_names_get(&p->enums[REASONS], v);
	if (name)
		return name;
	subsys = enum_names_get(&p->enums[REASON_SUBSYSTEMS], v >> shift);
	if (subsys && (v >> shift))
		snprintf(buf, len, "%s:%u", subsys, v & ((1u << shift) - 1));
	else
		snprintf(buf, len, "%u", v);
	return buf;
}

static const struct series_desc drop_series[] = {
	{
		.name = "skbtrace_drops_total",
		.help = "Packets dropped by the kernel (skb:kfree_skb), by drop reason, "
			"symbolized drop location and network namespace inode. Exact.",
		.map = "drop_counts",
		.cache = "drop_count_cache",
		.overflow = DROP_COUNTS_SLOT,
		.labels = { { "reason", SERIES_CUSTOM, SERIES_FIELD(struct drop_key, reason),
			      .custom = reason_label },
			    { "location", SERIES_KSYM, SERIES_FIELD(struct drop_key, location) },
			    { "netns", SERIES_NETNS, SERIES_FIELD(struct drop_key, netns) } },
	},
	{
		.name = "skbtrace_drop_stacks_total",
		.help = "Drops by kernel stack (stable id, see skbtrace_stack_info and /stacks). "
			"Exact with stacks.mode=exact; otherwise only events whose stack was "
			"captured, see skbtrace_stack_events_total.",
		.map = "drop_stack_counts",
		.cache = "drop_stack_cache",
		.overflow = DROP_STACK_COUNTS_SLOT,
		.stacks = true,
		.hint_label = "reason",
		.hint = HINT_DROP_REASON,
		.labels = { { "reason", SERIES_CUSTOM, SERIES_FIELD(struct drop_stack_key, reason),
			      .custom = reason_label },
			    { "netns", SERIES_NETNS, SERIES_FIELD(struct drop_stack_key, netns) },
			    { "stack", SERIES_STACK,
			      SERIES_FIELD(struct drop_stack_key, stack_id) } },
	},
};

static int drop_prepare(struct probe *p, struct bpf_object *obj, enum attach_method m,
			const struct probe_env *env, char *err, size_t errlen)
{
	int nargs = probe_need_tracepoint(env->btf, "skb", "kfree_skb", 2, err, errlen);
	bool has_reason = nargs >= 3;

	(void)p;
	(void)m;
	return nargs < 0 ? nargs
			 : bpf_rodata_set(obj, "has_reason", &has_reason, sizeof(has_reason));
}

const struct probe_ops drop_probe_ops = {
	.name = "drop",
	.description = "packets dropped by the kernel (skb:kfree_skb)",
	.filter_mask = FILTER_ALL,
	.elf_bytes = drop_bpf__elf_bytes,
	PROBE_LIST(methods, drop_methods),
	.methods_for = drop_methods_for,
	PROBE_LIST(programs, drop_programs),
	/* In the order of its masks, which is the order of the series' caches. */
	.cache_sweeper = "drop_cache_sweep",
	PROBE_LIST(map_limits, drop_map_limits),
	.enums = { [REASONS] = { "skb_drop_reason", NULL, "SKB_DROP_REASON_" },
		   [REASON_SUBSYSTEMS] = { "skb_drop_reason_subsys", NULL,
					   "SKB_DROP_REASON_SUBSYS_" } },
	.n_enums = 2,
	.reason_enum = "skb_drop_reason",
	.reason_kind = "drop reason",
	PROBE_LIST(series, drop_series),
	.prepare = drop_prepare,
};
