// SPDX-License-Identifier: GPL-2.0
/*
 * Conntrack probe: skbtrace_conntrack_table_full_drops_total{netns} and
 * skbtrace_conntrack_table_full_drop_stacks_total{netns,stack} from BPF,
 * plus the kernel's own conntrack table size and statistics of every
 * namespace, read at scrape time.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "conntrack.h"
#include "conntrack.skel.h"
#include "conntrack_netns_reader.h"
#include "conntrack_ns.h"
#include "conntrack_stat.h"
#include "expo.h"
#include "kernel_btf.h"
#include "kfree_skb_chain.h"
#include "ksyms.h"
#include "log.h"
#include "probe.h"
#include "rows.h"
#include "stacks.h"

#define ALLOC_FUNC "__nf_conntrack_alloc"

struct ct_probe {
	struct conntrack_bpf *skel;
	struct kfree_skb_link chain;	/* tp_btf only */
	struct ct_netns_reader *reader; /* NULL: only the own namespace's gauges */
};

/* Exact and cheapest first: function exits see only allocations, not every freed skb. */
static const enum attach_method ct_methods[] = { ATTACH_FENTRY, ATTACH_KPROBE, ATTACH_TP_BTF };

static int check(const struct probe_config *cfg, const struct probe_env *env, char *err,
		 size_t errlen)
{
	struct skbtrace_filter filter;

	return probe_filter_to_bpf(cfg, NULL, "drop reason", &filter, err, errlen);
}

static void ct_stop(struct probe *p)
{
	struct ct_probe *cp = p->priv;

	if (!cp)
		return;
	kfree_skb_chain_leave(&cp->chain);
	conntrack_bpf__destroy(cp->skel);
	ct_netns_reader_free(cp->reader);
	free(cp);
	p->priv = NULL;
}

/* Sets the rodata the method needs; fails when the running kernel cannot support it. */
static int prepare_method(struct conntrack_bpf *skel, enum attach_method m,
			  const struct probe_env *env, char *err, size_t errlen)
{
	struct enum_names reasons;
	uint32_t reason;
	int n;

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
		skel->rodata->alloc_nargs = n;
		return 0;
	case ATTACH_KPROBE:
		if (!kallsyms_has(ALLOC_FUNC)) {
			snprintf(err, errlen, "%s is not in /proc/kallsyms (inlined?)", ALLOC_FUNC);
			return -ENOENT;
		}
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
		skel->rodata->netfilter_drop_reason = reason;
		return 0;
	default:
		return -ENOENT;
	}
}

static void set_autoload(struct conntrack_bpf *skel, enum attach_method m)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	switch (m) {
	case ATTACH_FENTRY:
		bpf_program__set_autoload(skel->progs.ct_fexit, true);
		break;
	case ATTACH_KPROBE:
		bpf_program__set_autoload(skel->progs.ct_kprobe, true);
		bpf_program__set_autoload(skel->progs.ct_kretprobe, true);
		break;
	default:
		bpf_program__set_autoload(skel->progs.ct_tp_btf, true);
		break;
	}
}

/*
 * Probes on one address run newest first.  The entry program must walk the
 * stack before the kretprobe replaces the return address with its
 * trampoline, where older unwinders stop: so the kretprobe goes in first.
 */
static int attach_kprobes(struct conntrack_bpf *skel)
{
	skel->links.ct_kretprobe = bpf_program__attach(skel->progs.ct_kretprobe);
	if (!skel->links.ct_kretprobe)
		return -errno;
	skel->links.ct_kprobe = bpf_program__attach(skel->progs.ct_kprobe);
	return skel->links.ct_kprobe ? 0 : -errno;
}

/*
 * The per-namespace gauges need the reader; the tp_btf method needs it too,
 * to seed the drop statistic of every namespace so that only rises count.
 */
static int open_reader(struct ct_probe *cp, const struct probe_env *env, enum attach_method m,
		       char *err, size_t errlen)
{
	struct ct_netns_table t;
	int ret = ct_netns_reader_open(&cp->reader, env->btf, env->limits->max_series,
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
	ret = ct_netns_read(cp->reader, &t, bpf_map__fd(cp->skel->maps.ct_last_drop));
	if (ret)
		snprintf(err, errlen, "cannot seed conntrack drop counters: %s", strerror(-ret));
	ct_netns_table_free(&t);
	return ret;
}

static int ct_start(struct probe *p, enum attach_method method, const struct probe_env *env,
		    char *err, size_t errlen)
{
	const struct limits_config *lim = env->limits;
	int ncpus = libbpf_num_possible_cpus();
	struct skbtrace_stack_policy policy;
	struct skbtrace_filter filter;
	struct ct_probe *cp;
	int ret;

	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	p->priv = cp;
	cp->chain = KFREE_SKB_LINK_INIT;
	ret = probe_filter_to_bpf(&p->cfg, NULL, "drop reason", &filter, err, errlen);
	if (ret)
		goto cleanup;
	probe_stack_policy(&p->cfg, &policy);

	cp->skel = conntrack_bpf__open();
	if (!cp->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s", strerror(errno));
		goto cleanup;
	}
	ret = prepare_method(cp->skel, method, env, err, errlen);
	if (ret)
		goto cleanup;
	memcpy((void *)&cp->skel->rodata->filter, &filter, sizeof(filter));
	memcpy((void *)&cp->skel->rodata->stack_policy, &policy, sizeof(policy));
	cp->skel->rodata->netns_by_cookie = env->netns_by_cookie;
	bpf_map__set_max_entries(cp->skel->maps.ct_drops, lim->max_series);
	bpf_map__set_max_entries(cp->skel->maps.ct_stack_drops, lim->max_stack_series);
	bpf_map__set_max_entries(cp->skel->maps.ct_last_drop,
				 lim->max_series * (ncpus > 0 ? ncpus : 1));
	p->max_stacks = policy.mode == SKBTRACE_STACKS_OFF ? 1 : lim->max_stacks;
	bpf_map__set_max_entries(cp->skel->maps.stack_traces, p->max_stacks);
	set_autoload(cp->skel, method);
	if (method == ATTACH_TP_BTF) {
		ret = kfree_skb_chain_prepare(&cp->chain, cp->skel->progs.ct_tp_btf, method,
					      cp->skel->maps.kfree_skb_chain,
					      (uint32_t *)&cp->skel->rodata->kfree_skb_next, err,
					      errlen);
		if (ret)
			goto cleanup;
	}

	ret = conntrack_bpf__load(cp->skel);
	if (ret) {
		snprintf(err, errlen, "BPF load failed: %s", strerror(-ret));
		goto cleanup;
	}
	/* Seeded before the watcher runs, so that it counts only rises. */
	if (method == ATTACH_TP_BTF && (ret = open_reader(cp, env, method, err, errlen)))
		goto cleanup;
	ret = method == ATTACH_KPROBE ? attach_kprobes(cp->skel) : conntrack_bpf__attach(cp->skel);
	if (ret) {
		snprintf(err, errlen, "attach failed: %s", strerror(-ret));
		goto cleanup;
	}
	if (method == ATTACH_TP_BTF && (ret = kfree_skb_chain_join(&cp->chain, err, errlen)))
		goto cleanup;
	if (method != ATTACH_TP_BTF && (ret = open_reader(cp, env, method, err, errlen)))
		goto cleanup;
	p->stats_fd = bpf_map__fd(cp->skel->maps.stats);
	p->stack_map_fd = bpf_map__fd(cp->skel->maps.stack_traces);
	p->obj = cp->skel->obj;
	probe_netns_map_add(p, bpf_map__fd(cp->skel->maps.ct_drops),
			    offsetof(struct ct_key, netns));
	probe_netns_map_add(p, bpf_map__fd(cp->skel->maps.ct_stack_drops),
			    offsetof(struct ct_stack_key, netns));
	/* Not a series, but it fills up with dead namespaces all the same. */
	probe_netns_map_add(p, bpf_map__fd(cp->skel->maps.ct_last_drop),
			    offsetof(struct ct_cpu_key, netns));
	return 0;

cleanup:
	ct_stop(p);
	return ret;
}

struct ct_row {
	uint32_t netns;
	const char *stack; /* NULL for the per-namespace total */
	uint64_t count;
};

struct ct_collect {
	struct rows rows;
	struct stack_table *stacks;
	int stack_map_fd;
};

static int push_total(const void *key, uint64_t sum, void *ctx)
{
	const struct ct_key *k = key;
	struct ct_collect *cc = ctx;
	struct ct_row *row = rows_push(&cc->rows);

	if (!row)
		return -ENOMEM;
	*row = (struct ct_row){ k->netns, NULL, sum };
	return 0;
}

static int push_stack(const void *key, uint64_t sum, void *ctx)
{
	const struct ct_stack_key *k = key;
	struct ct_collect *cc = ctx;
	const char *id = stack_table_id(cc->stacks, cc->stack_map_fd, k->stack_id);
	struct ct_row *row = rows_push(&cc->rows);

	if (!row)
		return -ENOMEM;
	*row = (struct ct_row){ k->netns, id ? id : "unreadable", sum };
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct ct_row *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x->stack && y->stack ? strcmp(x->stack, y->stack) : 0;
}

/*
 * One family from one per-CPU map.  Rows whose labels coincide are merged:
 * two BPF stacks may differ only in tracing frames and share one stable id.
 */
static int emit_map(struct probe *p, struct expo *e, const struct probe_env *env,
		    struct bpf_map *map, const char *map_name, bool stacks, uint64_t overflow,
		    struct expo_family *f)
{
	struct ct_collect cc = { .rows = { .size = sizeof(struct ct_row) },
				 .stacks = env->stacks,
				 .stack_map_fd = p->stack_map_fd };
	struct ct_row *r;
	uint64_t n = 0;
	int err;

	err = percpu_map_sum_each(bpf_map__fd(map), bpf_map__key_size(map),
				  stacks ? push_stack : push_total, &cc, &n);
	r = cc.rows.v;
	if (cc.rows.n)
		qsort(r, cc.rows.n, sizeof(*r), cmp_row);
	for (size_t i = 0; !err && i < cc.rows.n; i++) {
		struct expo_label l[2] = { { "netns", NULL }, { "stack", r[i].stack } };
		uint64_t count = r[i].count;
		char netns[16];

		while (i + 1 < cc.rows.n && !cmp_row(&r[i], &r[i + 1]))
			count += r[++i].count;
		if (probe_netns_label(env, r[i].netns, netns, sizeof(netns)))
			continue;
		l[0].value = netns;
		err = expo_add_u64(f, l, stacks ? 2 : 1, count);
	}
	/* Drops that found the map full still count, so the family's sum stays exact. */
	if (!err && overflow && !stacks)
		err = expo_add_u64(f, (struct expo_label[]){ { "netns", "overflow" } }, 1,
				   overflow);
	rows_free(&cc.rows);
	return err ?: probe_expo_map(e, p, map_name, n, bpf_map__max_entries(map), overflow);
}

static int ct_collect(struct probe *p, struct expo *e, const struct probe_env *env)
{
	struct ct_probe *cp = p->priv;
	uint64_t st[SKBTRACE_STAT_MAX];
	struct expo_family *f;
	int err = probe_read_stats(p, st);

	if (err)
		return err;
	f = expo_family(e, "skbtrace_conntrack_table_full_drops_total", EXPO_COUNTER,
			"Packets dropped because the conntrack table was full, by network "
			"namespace inode. Exact.");
	err = f ? emit_map(p, e, env, cp->skel->maps.ct_drops, "ct_drops", false,
			   st[SKBTRACE_STAT_COUNT_OVERFLOW], f)
		: -ENOMEM;
	if (!err && p->cfg.stacks.mode != SKBTRACE_STACKS_OFF) {
		f = expo_family(e, "skbtrace_conntrack_table_full_drop_stacks_total", EXPO_COUNTER,
				"Conntrack table-full drops by kernel stack (stable id, see "
				"skbtrace_stack_info and /stacks). Exact with stacks.mode=exact; "
				"otherwise only events whose stack was captured.");
		err = f ? emit_map(p, e, env, cp->skel->maps.ct_stack_drops, "ct_stack_drops", true,
				   st[SKBTRACE_STAT_STACK_COUNT_OVERFLOW], f)
			: -ENOMEM;
	}
	return err ?: ct_expo_namespaces(e, cp->reader);
}

const struct probe_ops conntrack_probe_ops = {
	.name = "conntrack",
	.description = "packets dropped because the conntrack table was full; conntrack "
		       "table size and statistics of every network namespace",
	.filter_mask = FILTER_NETNS,
	.methods = ct_methods,
	.n_methods = sizeof(ct_methods) / sizeof(ct_methods[0]),
	.check = check,
	.start = ct_start,
	.stop = ct_stop,
	.collect = ct_collect,
};
