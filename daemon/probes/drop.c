// SPDX-License-Identifier: GPL-2.0
/*
 * Drop probe: skb:kfree_skb → skbtrace_drops_total{reason,location,netns}
 * and skbtrace_drop_stacks_total{reason,netns,stack}.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "count_cache.h"
#include "drop.h"
#include "drop.skel.h"
#include "drop_reasons.h"
#include "expo.h"
#include "kfree_skb_chain.h"
#include "ksyms.h"
#include "probe.h"
#include "rows.h"
#include "stacks.h"
#include "sysfs.h"

struct drop_probe {
	struct drop_bpf *skel;
	struct drop_reasons reasons;
	struct kfree_skb_link chain;
};

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

static int drop_check(const struct probe_config *cfg, const struct probe_env *env, char *err,
		      size_t errlen)
{
	struct skbtrace_filter filter;
	struct drop_reasons reasons;
	int ret;

	drop_reasons_load(env->btf, &reasons);
	ret = probe_filter_to_bpf(cfg, &reasons.core, "drop reason", &filter, err, errlen);
	drop_reasons_free(&reasons);
	return ret;
}

static struct bpf_program *program_for(struct drop_bpf *skel, enum attach_method m)
{
	switch (m) {
	case ATTACH_TP_BTF:
		return skel->progs.drop_tp_btf;
	case ATTACH_RAW_TP:
		return skel->progs.drop_raw_tp;
	case ATTACH_TRACEPOINT:
		return skel->progs.drop_tracepoint;
	default:
		return NULL;
	}
}

static void drop_stop(struct probe *p)
{
	struct drop_probe *dp = p->priv;

	if (!dp)
		return;
	kfree_skb_chain_leave(&dp->chain);
	drop_bpf__destroy(dp->skel);
	drop_reasons_free(&dp->reasons);
	free(dp);
	p->priv = NULL;
}

static int drop_start(struct probe *p, enum attach_method method, const struct probe_env *env,
		      char *err, size_t errlen)
{
	const struct limits_config *lim = env->limits;
	struct skbtrace_stack_policy policy;
	struct skbtrace_filter filter;
	struct drop_probe *dp;
	struct bpf_program *prog, *iter;
	int nargs, ret;

	nargs = btf_tracepoint_nargs(env->btf, "kfree_skb");
	if (nargs < 2) {
		snprintf(err, errlen, "the kernel has no tracepoint skb:kfree_skb");
		return -ENOENT;
	}
	if (method == ATTACH_TRACEPOINT && (ret = tracefs_ensure(err, errlen)))
		return ret;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	p->priv = dp;
	dp->chain = KFREE_SKB_LINK_INIT;
	drop_reasons_load(env->btf, &dp->reasons);
	ret = probe_filter_to_bpf(&p->cfg, &dp->reasons.core, "drop reason", &filter, err, errlen);
	if (ret)
		goto cleanup;
	probe_stack_policy(&p->cfg, &policy);

	dp->skel = drop_bpf__open();
	if (!dp->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s", strerror(errno));
		goto cleanup;
	}
	memcpy((void *)&dp->skel->rodata->filter, &filter, sizeof(filter));
	memcpy((void *)&dp->skel->rodata->stack_policy, &policy, sizeof(policy));
	dp->skel->rodata->has_reason = nargs >= 3;
	dp->skel->rodata->netns_by_cookie = env->netns_by_cookie;
	bpf_map__set_max_entries(dp->skel->maps.drop_counts, lim->max_series);
	bpf_map__set_max_entries(dp->skel->maps.drop_stack_counts, lim->max_stack_series);
	/* With stacks off the table is never written: do not reserve it. */
	p->max_stacks = policy.mode == SKBTRACE_STACKS_OFF ? 1 : lim->max_stacks;
	bpf_map__set_max_entries(dp->skel->maps.stack_traces, p->max_stacks);

	prog = program_for(dp->skel, method);
	bpf_object__for_each_program (iter, dp->skel->obj)
		bpf_program__set_autoload(iter,
					  iter == prog || iter == dp->skel->progs.drop_cache_sweep);
	ret = kfree_skb_chain_prepare(&dp->chain, prog, method, dp->skel->maps.kfree_skb_chain,
				      (uint32_t *)&dp->skel->rodata->kfree_skb_next, err, errlen);
	if (ret)
		goto cleanup;

	ret = drop_bpf__load(dp->skel);
	if (ret) {
		snprintf(err, errlen, "BPF load failed: %s", strerror(-ret));
		goto cleanup;
	}
	/* The program runs in the kfree_skb chain, which the dispatcher attaches. */
	ret = kfree_skb_chain_join(&dp->chain, err, errlen);
	if (ret)
		goto cleanup;
	p->stats_fd = bpf_map__fd(dp->skel->maps.stats);
	p->stack_map_fd = bpf_map__fd(dp->skel->maps.stack_traces);
	p->obj = dp->skel->obj;
	probe_netns_map_add(p, bpf_map__fd(dp->skel->maps.drop_counts),
			    offsetof(struct drop_key, netns));
	probe_netns_map_add(p, bpf_map__fd(dp->skel->maps.drop_stack_counts),
			    offsetof(struct drop_stack_key, netns));
	/* In the order of the sweeper's masks (COUNT_CACHE_SWEEPER in drop.bpf.c). */
	p->netns_caches[0] = (struct probe_netns_map){ bpf_map__fd(dp->skel->maps.drop_count_cache),
						       offsetof(struct drop_key, netns) };
	p->netns_caches[1] = (struct probe_netns_map){ bpf_map__fd(dp->skel->maps.drop_stack_cache),
						       offsetof(struct drop_stack_key, netns) };
	p->n_netns_caches = 2;
	p->cache_sweep_fd = bpf_program__fd(dp->skel->progs.drop_cache_sweep);
	return 0;

cleanup:
	drop_stop(p);
	return ret;
}

struct drop_row {
	struct drop_key key;
	uint64_t count;
};

_Static_assert(sizeof(struct drop_key) == sizeof(((struct skbtrace_count_slot *)0)->key) &&
		       sizeof(struct drop_stack_key) == sizeof(struct drop_key),
	       "both drop count maps go through a count cache of 16-byte keys");

static int push_drop(const void *key, uint64_t sum, void *ctx)
{
	struct drop_row *row = rows_push(ctx);

	if (!row)
		return -ENOMEM;
	memcpy(&row->key, key, sizeof(row->key));
	row->count = sum;
	return 0;
}

static int cmp_drop_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct drop_key));
}

/* One row per key: the hash and every CPU's cache slot may each hold part of a count. */
static void merge_rows(struct rows *rows)
{
	struct drop_row *r = rows->v;
	size_t n = 0;

	if (!rows->n)
		return;
	qsort(r, rows->n, sizeof(*r), cmp_drop_key);
	for (size_t i = 1; i < rows->n; i++) {
		if (!cmp_drop_key(&r[n].key, &r[i].key))
			r[n].count += r[i].count;
		else
			r[++n] = r[i];
	}
	rows->n = n + 1;
}

static int emit_drops(struct probe *p, struct expo *e, const struct probe_env *env,
		      uint64_t overflow)
{
	struct drop_probe *dp = p->priv;
	struct rows rows = { .size = sizeof(struct drop_row) };
	struct expo_family *f;
	uint64_t n = 0, *addrs = NULL;
	int err;

	f = expo_family(e, "skbtrace_drops_total", EXPO_COUNTER,
			"Packets dropped by the kernel (skb:kfree_skb), by drop reason, "
			"symbolized drop location and network namespace inode. Exact.");
	if (!f)
		return -ENOMEM;
	err = percpu_map_sum_each(bpf_map__fd(dp->skel->maps.drop_counts), sizeof(struct drop_key),
				  push_drop, &rows, &n);
	if (!err)
		err = count_cache_each(bpf_map__fd(dp->skel->maps.drop_count_cache), push_drop,
				       &rows);
	if (!err)
		merge_rows(&rows);
	if (!err && rows.n) {
		addrs = malloc(rows.n * sizeof(*addrs));
		if (!addrs)
			err = -ENOMEM;
	}
	if (addrs) {
		struct drop_row *r = rows.v;

		/* One pass over kallsyms for all locations new since the last scrape. */
		for (size_t i = 0; i < rows.n; i++)
			addrs[i] = r[i].key.location;
		ksym_cache_resolve(env->ksyms, addrs, rows.n);
	}
	for (size_t i = 0; !err && i < rows.n; i++) {
		struct drop_row *r = (struct drop_row *)rows.v + i;
		char reason[96], netns[16];

		if (probe_netns_label(env, r->key.netns, netns, sizeof(netns)))
			continue;
		drop_reason_name(&dp->reasons, r->key.reason, reason, sizeof(reason));
		err = expo_add_u64(
			f,
			(struct expo_label[]){
				{ "reason", reason },
				{ "location", ksym_cache_name(env->ksyms, r->key.location) },
				{ "netns", netns } },
			3, r->count);
	}
	/* Drops that found the map full still count, so the family's sum stays exact. */
	if (!err && overflow)
		err = expo_add_u64(f,
				   (struct expo_label[]){ { "reason", "overflow" },
							  { "location", "overflow" },
							  { "netns", "overflow" } },
				   3, overflow);
	free(addrs);
	free(rows.v);
	return err
		       ?: probe_expo_map(e, p, "drop_counts", n,
					 bpf_map__max_entries(dp->skel->maps.drop_counts),
					 overflow);
}

struct stack_emit {
	struct drop_probe *dp;
	const struct probe_env *env;
	struct expo_family *f;
};

static int emit_stack(const void *key, const char *stack, uint64_t count, void *ctx)
{
	const struct drop_stack_key *k = key;
	struct stack_emit *se = ctx;
	char reason[96], netns[16];

	if (probe_netns_label(se->env, k->netns, netns, sizeof(netns)))
		return 0;
	drop_reason_name(&se->dp->reasons, k->reason, reason, sizeof(reason));
	stack_table_note(se->env->stacks, stack, HINT_DROP_REASON, reason);
	return expo_add_u64(se->f,
			    (struct expo_label[]){
				    { "reason", reason }, { "netns", netns }, { "stack", stack } },
			    3, count);
}

static int emit_stacks(struct probe *p, struct expo *e, const struct probe_env *env,
		       uint64_t overflow)
{
	struct drop_probe *dp = p->priv;
	struct stack_emit se = { .dp = dp, .env = env };
	uint64_t n = 0;
	int err;

	se.f = expo_family(
		e, "skbtrace_drop_stacks_total", EXPO_COUNTER,
		"Drops by kernel stack (stable id, see skbtrace_stack_info and /stacks). "
		"Exact with stacks.mode=exact; otherwise only events whose stack was "
		"captured, see skbtrace_stack_events_total.");
	if (!se.f)
		return -ENOMEM;
	err = probe_stack_series_each(
		p, env->stacks, bpf_map__fd(dp->skel->maps.drop_stack_counts),
		bpf_map__fd(dp->skel->maps.drop_stack_cache), sizeof(struct drop_stack_key),
		offsetof(struct drop_stack_key, stack_id), emit_stack, &se, &n);
	return err
		       ?: probe_expo_map(e, p, "drop_stack_counts", n,
					 bpf_map__max_entries(dp->skel->maps.drop_stack_counts),
					 overflow);
}

static int drop_collect(struct probe *p, struct expo *e, const struct probe_env *env)
{
	uint64_t st[SKBTRACE_STAT_MAX];
	int err = probe_read_stats(p, st);

	if (err)
		return err;
	err = emit_drops(p, e, env, st[SKBTRACE_STAT_COUNT_OVERFLOW]);
	if (!err && p->cfg.stacks.mode != SKBTRACE_STACKS_OFF)
		err = emit_stacks(p, e, env, st[SKBTRACE_STAT_STACK_COUNT_OVERFLOW]);
	return err;
}

const struct probe_ops drop_probe_ops = {
	.name = "drop",
	.description = "packets dropped by the kernel (skb:kfree_skb)",
	.filter_mask = FILTER_ALL,
	.methods = drop_methods,
	.n_methods = sizeof(drop_methods) / sizeof(drop_methods[0]),
	.methods_for = drop_methods_for,
	.check = drop_check,
	.start = drop_start,
	.stop = drop_stop,
	.collect = drop_collect,
};
