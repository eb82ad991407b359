// SPDX-License-Identifier: GPL-2.0
/*
 * Conntrack probe: skbtrace_conntrack_table_full_drops_total{netns} and
 * skbtrace_conntrack_table_full_drop_stacks_total{netns,stack} from BPF,
 * plus the kernel's own conntrack table size and statistics of every
 * namespace, read at scrape time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf_rodata.h"
#include "conntrack.h"
#include "conntrack.skel.h"
#include "conntrack_netns_reader.h"
#include "conntrack_ns.h"
#include "log.h"
#include "probe.h"
#include "series.h"

#define ALLOC_FUNC "__nf_conntrack_alloc"

/* Exact and cheapest first: function exits see only allocations, not every freed skb. */
static const enum attach_method ct_methods[] = { ATTACH_FENTRY, ATTACH_KPROBE, ATTACH_TP_BTF };

/*
 * Probes on one address run newest first.  The entry program must walk the
 * stack before the kretprobe replaces the return address with its
 * trampoline, where older unwinders stop: so the kretprobe goes in first.
 */
/* A plain load of the drop statistic instead of a probe read: 6.2 and later. */
static bool has_rdonly_cast(const struct probe_env *env)
{
	return env->btf && btf__find_by_name_kind(env->btf, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
}

static bool lacks_rdonly_cast(const struct probe_env *env)
{
	return !has_rdonly_cast(env);
}

static const struct probe_program ct_programs[] = {
	/* In nf_conntrack's BTF, which ct_prepare() looks up. */
	{ ATTACH_FENTRY, "ct_fexit" },
	{ ATTACH_KPROBE, "ct_kretprobe", ALLOC_FUNC },
	{ ATTACH_KPROBE, "ct_kprobe", ALLOC_FUNC },
	{ ATTACH_TP_BTF, "ct_tp_btf", .flags = PROBE_PROG_KFREE_SKB_CHAIN,
	  .wanted = has_rdonly_cast },
	{ ATTACH_TP_BTF, "ct_tp_btf_read", .flags = PROBE_PROG_KFREE_SKB_CHAIN,
	  .wanted = lacks_rdonly_cast },
};

static const struct probe_map_limit ct_map_limits[] = {
	{ "ct_drops", PROBE_LIMIT_SERIES },
	{ "ct_stack_drops", PROBE_LIMIT_STACK_SERIES },
	{ "ct_last_drop", PROBE_LIMIT_SERIES_PER_CPU },
};

/* Not a series, but it fills up with dead namespaces all the same. */
static const struct probe_netns_key ct_netns_keys[] = {
	{ "ct_last_drop", offsetof(struct ct_cpu_key, netns) },
};

static const struct series_desc ct_series[] = {
	{
		.name = "skbtrace_conntrack_table_full_drops_total",
		.help = "Packets dropped because the conntrack table was full, by network "
			"namespace inode. Exact.",
		.map = "ct_drops",
		.overflow = CT_DROPS_SLOT,
		.labels = { { "netns", SERIES_NETNS, SERIES_FIELD(struct ct_key, netns) } },
	},
	{
		.name = "skbtrace_conntrack_table_full_drop_stacks_total",
		.help = "Conntrack table-full drops by kernel stack (stable id, see "
			"skbtrace_stack_info and /stacks). Exact with stacks.mode=exact; "
			"otherwise only events whose stack was captured.",
		.map = "ct_stack_drops",
		.overflow = CT_STACK_DROPS_SLOT,
		.stacks = true,
		.labels = { { "netns", SERIES_NETNS, SERIES_FIELD(struct ct_stack_key, netns) },
			    { "stack", SERIES_STACK,
			      SERIES_FIELD(struct ct_stack_key, stack_id) } },
	},
};

/* What the method needs of the running kernel, and the rodata it sets. */
static int ct_prepare(struct probe *p, struct bpf_object *obj, enum attach_method m,
		      const struct probe_env *env, char *err, size_t errlen)
{
	struct enum_names reasons;
	uint32_t reason;
	int n;

	(void)p;
	switch (m) {
	case ATTACH_FENTRY:
		n = btf_func_nargs(env->btf, "nf_conntrack", ALLOC_FUNC);
		if (n < 0) {
			snprintf(err, errlen,
				 "%s is not in the BTF of vmlinux or nf_conntrack (inlined, or "
				 "module not loaded)",
				 ALLOC_FUNC);
			return -ENOENT;
		}
		return bpf_rodata_set(obj, "alloc_nargs", &n, sizeof(n));
	case ATTACH_KPROBE:
		return 0;
	case ATTACH_TP_BTF:
		if (btf_tracepoint_nargs(env->btf, "kfree_skb") < 3) {
			snprintf(err, errlen, "skb:kfree_skb passes no drop reason (before 5.17)");
			return -ENOENT;
		}
		if (enum_names_load(env->btf, "skb_drop_reason", "SKB_DROP_REASON_", &reasons)) {
			snprintf(err, errlen, "the kernel has no enum skb_drop_reason");
			return -ENOENT;
		}
		n = enum_names_find(&reasons, "NETFILTER_DROP", &reason);
		enum_names_free(&reasons);
		if (n) {
			snprintf(err, errlen, "the kernel has no drop reason NETFILTER_DROP");
			return -ENOENT;
		}
		return bpf_rodata_set(obj, "netfilter_drop_reason", &reason, sizeof(reason));
	default:
		return -ENOENT;
	}
}

/*
 * The per-namespace gauges need the reader; the tp_btf method needs it too,
 * to seed the drop statistic of every namespace so that only rises count.
 */
static int ct_loaded(struct probe *p, enum attach_method m, const struct probe_env *env, char *err,
		     size_t errlen)
{
	struct ct_netns_reader **reader = (struct ct_netns_reader **)&p->priv;
	struct bpf_map *seed = bpf_object__find_map_by_name(p->obj, "ct_last_drop");
	struct ct_netns_table t = { 0 };
	int ret = ct_netns_reader_open(reader, env->btf, env->limits->max_series,
				       env->netns_by_cookie, err, errlen);

	if (ret && m != ATTACH_TP_BTF) {
		log_warn("conntrack: %s; only the daemon's own namespace's statistics are "
			 "reported",
			 err);
		err[0] = '\0';
		return 0;
	}
	if (ret || m != ATTACH_TP_BTF)
		return ret;
	/* Seeded before the watcher runs, so that it counts only rises. */
	ret = seed ? ct_netns_read(*reader, &t, bpf_map__fd(seed)) : -ENOENT;
	if (ret)
		snprintf(err, errlen, "cannot seed conntrack drop counters: %s", strerror(-ret));
	ct_netns_table_free(&t);
	return ret;
}

static void ct_release(struct probe *p)
{
	ct_netns_reader_free(p->priv);
}

static int ct_collect(struct probe *p, struct expo *e, const struct probe_env *env)
{
	(void)env;
	return ct_expo_namespaces(e, p->priv);
}

const struct probe_ops conntrack_probe_ops = {
	.name = "conntrack",
	.description = "packets dropped because the conntrack table was full; conntrack "
		       "table size and statistics of every network namespace",
	.filter_mask = FILTER_NETNS,
	.elf_bytes = conntrack_bpf__elf_bytes,
	PROBE_LIST(methods, ct_methods),
	PROBE_LIST(programs, ct_programs),
	PROBE_LIST(map_limits, ct_map_limits),
	PROBE_LIST(netns_keys, ct_netns_keys),
	.reason_kind = "drop reason",
	PROBE_LIST(series, ct_series),
	.prepare = ct_prepare,
	.loaded = ct_loaded,
	.release = ct_release,
	.collect = ct_collect,
};
