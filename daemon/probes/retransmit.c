// SPDX-License-Identifier: GPL-2.0
/*
 * Retransmit probe: every TCP segment the host retransmits
 * (tcp:tcp_retransmit_skb) →
 * skbtrace_tcp_retransmits_total{state,netns} and
 * skbtrace_tcp_retransmit_stacks_total{netns,stack}.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "expo.h"
#include "kernel_btf.h"
#include "probe.h"
#include "retransmit.h"
#include "retransmit.skel.h"
#include "stacks.h"
#include "sysfs.h"

/*
 * Only the tracepoint, which every supported kernel has: the functions
 * around it are inlined differently by each kernel build (on Debian's 6.1
 * fexit of __tcp_retransmit_skb saw none of 352 retransmitted segments), and
 * function entry knows neither the outcome nor the final segment count.
 */
static const enum attach_method retransmit_methods[] = { ATTACH_TP_BTF, ATTACH_RAW_TP,
							 ATTACH_TRACEPOINT };

struct retransmit_probe {
	struct retransmit_bpf *skel;
	struct enum_names states; /* the TCP states enum (TCP_ESTABLISHED, ...) */
};

static struct bpf_program *method_program(struct retransmit_bpf *skel, enum attach_method m)
{
	switch (m) {
	case ATTACH_TP_BTF:
		return skel->progs.retransmit_tp_btf;
	case ATTACH_RAW_TP:
		return skel->progs.retransmit_raw_tp;
	case ATTACH_TRACEPOINT:
		return skel->progs.retransmit_tracepoint;
	default:
		return NULL;
	}
}

/* What the method needs from the kernel; 0 or -ENOENT with err saying what is missing. */
static int method_usable(enum attach_method m, const struct btf *btf, char *err, size_t errlen)
{
	if (btf_tracepoint_nargs(btf, "tcp_retransmit_skb") < 2) {
		snprintf(err, errlen, "the kernel has no tracepoint tcp:tcp_retransmit_skb");
		return -ENOENT;
	}
	if (m == ATTACH_TRACEPOINT)
		return tracefs_ensure(err, errlen);
	return 0;
}

static int retransmit_check(const struct probe_config *cfg, const struct probe_env *env, char *err,
			    size_t errlen)
{
	struct skbtrace_filter filter;

	(void)env;
	return probe_filter_to_bpf(cfg, NULL, "retransmit reason", &filter, err, errlen);
}

static void retransmit_stop(struct probe *p)
{
	struct retransmit_probe *rp = p->priv;

	if (!rp)
		return;
	retransmit_bpf__destroy(rp->skel);
	enum_names_free(&rp->states);
	free(rp);
	p->priv = NULL;
}

static int retransmit_start(struct probe *p, enum attach_method method, const struct probe_env *env,
			    char *err, size_t errlen)
{
	const struct limits_config *lim = env->limits;
	struct skbtrace_stack_policy policy;
	struct skbtrace_filter filter;
	struct retransmit_probe *rp;
	struct bpf_program *iter;
	int ret;

	ret = method_usable(method, env->btf, err, errlen);
	if (ret)
		return ret;
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	p->priv = rp;
	enum_names_load_by_member(env->btf, "TCP_ESTABLISHED", "TCP_", &rp->states);
	ret = probe_filter_to_bpf(&p->cfg, NULL, "retransmit reason", &filter, err, errlen);
	if (ret)
		goto cleanup;
	probe_stack_policy(&p->cfg, &policy);

	rp->skel = retransmit_bpf__open();
	if (!rp->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s", strerror(errno));
		goto cleanup;
	}
	memcpy((void *)&rp->skel->rodata->filter, &filter, sizeof(filter));
	memcpy((void *)&rp->skel->rodata->stack_policy, &policy, sizeof(policy));
	rp->skel->rodata->has_err = btf_tracepoint_nargs(env->btf, "tcp_retransmit_skb") >= 3;
	/* Keys hold the namespace id the daemon resolves (net cookie or inode). */
	rp->skel->rodata->netns_by_cookie = env->netns_by_cookie;
	bpf_map__set_max_entries(rp->skel->maps.retransmit_counts, lim->max_series);
	bpf_map__set_max_entries(rp->skel->maps.retransmit_stack_counts, lim->max_stack_series);
	/* With stacks off the table is never written: do not reserve it. */
	p->max_stacks = policy.mode == SKBTRACE_STACKS_OFF ? 1 : lim->max_stacks;
	bpf_map__set_max_entries(rp->skel->maps.stack_traces, p->max_stacks);
	bpf_object__for_each_program (iter, rp->skel->obj)
		bpf_program__set_autoload(iter, iter == method_program(rp->skel, method));

	ret = retransmit_bpf__load(rp->skel);
	if (ret) {
		snprintf(err, errlen, "BPF load failed: %s", strerror(-ret));
		goto cleanup;
	}
	ret = retransmit_bpf__attach(rp->skel);
	if (ret) {
		snprintf(err, errlen, "attach failed: %s", strerror(-ret));
		goto cleanup;
	}
	p->stats_fd = bpf_map__fd(rp->skel->maps.stats);
	p->stack_map_fd = bpf_map__fd(rp->skel->maps.stack_traces);
	p->obj = rp->skel->obj;
	probe_netns_map_add(p, bpf_map__fd(rp->skel->maps.retransmit_counts),
			    offsetof(struct retransmit_key, netns));
	probe_netns_map_add(p, bpf_map__fd(rp->skel->maps.retransmit_stack_counts),
			    offsetof(struct retransmit_stack_key, netns));
	return 0;

cleanup:
	retransmit_stop(p);
	return ret;
}

struct retransmit_emit {
	const struct retransmit_probe *rp;
	const struct probe_env *env;
	struct stack_table *stacks;
	struct expo_family *f;
};

static int emit_retransmit(const void *key, uint64_t sum, void *ctx)
{
	const struct retransmit_key *k = key;
	struct retransmit_emit *re = ctx;
	const char *name = enum_names_get(&re->rp->states, k->state);
	char state[32], netns[16];

	if (name)
		snprintf(state, sizeof(state), "%s", name);
	else
		snprintf(state, sizeof(state), "%u", k->state);
	/* A namespace that is gone: its series are about to be evicted. */
	if (probe_netns_label(re->env, k->netns, netns, sizeof(netns)))
		return 0;
	return expo_add_u64(re->f, (struct expo_label[]){ { "state", state }, { "netns", netns } },
			    2, sum);
}

static uint64_t overflow_segs(const struct retransmit_probe *rp)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *v, sum = 0;
	uint32_t zero = 0;

	if (ncpus <= 0)
		return 0;
	v = calloc(ncpus, sizeof(*v));
	if (v &&
	    !bpf_map_lookup_elem(bpf_map__fd(rp->skel->maps.retransmit_overflow_segs), &zero, v)) {
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	}
	free(v);
	return sum;
}

static int emit_retransmits(struct probe *p, struct expo *e, const struct probe_env *env,
			    uint64_t overflow_events)
{
	struct retransmit_probe *rp = p->priv;
	struct retransmit_emit re = { .rp = rp, .env = env };
	uint64_t n = 0, lost = overflow_segs(rp);
	int err;

	re.f = expo_family(e, "skbtrace_tcp_retransmits_total", EXPO_COUNTER,
			   "TCP segments retransmitted (GSO segments, as TcpRetransSegs counts "
			   "them; only retransmits that left the host; no SYN-ACKs), by socket "
			   "state and network namespace inode. Exact.");
	if (!re.f)
		return -ENOMEM;
	err = percpu_map_sum_each(bpf_map__fd(rp->skel->maps.retransmit_counts),
				  sizeof(struct retransmit_key), emit_retransmit, &re, &n);
	/* Segments that found the map full still count, so the family's sum stays exact. */
	if (!err && lost)
		err = expo_add_u64(
			re.f,
			(struct expo_label[]){ { "state", "overflow" }, { "netns", "overflow" } },
			2, lost);
	return err
		       ?: probe_expo_map(e, p, "retransmit_counts", n,
					 bpf_map__max_entries(rp->skel->maps.retransmit_counts),
					 overflow_events);
}

static int emit_stack(const void *key, const char *stack, uint64_t count, void *ctx)
{
	const struct retransmit_stack_key *k = key;
	struct retransmit_emit *re = ctx;
	char netns[16];

	if (probe_netns_label(re->env, k->netns, netns, sizeof(netns)))
		return 0;
	return expo_add_u64(re->f, (struct expo_label[]){ { "netns", netns }, { "stack", stack } },
			    2, count);
}

static int emit_stacks(struct probe *p, struct expo *e, const struct probe_env *env,
		       uint64_t overflow)
{
	struct retransmit_probe *rp = p->priv;
	struct retransmit_emit re = { .rp = rp, .env = env, .stacks = env->stacks };
	int fd = bpf_map__fd(rp->skel->maps.retransmit_stack_counts);
	uint64_t n = 0;
	int err;

	re.f = expo_family(e, "skbtrace_tcp_retransmit_stacks_total", EXPO_COUNTER,
			   "TCP segments retransmitted by kernel stack (stable id, see "
			   "skbtrace_stack_info and /stacks). Exact with stacks.mode=exact; "
			   "otherwise only events whose stack was captured, see "
			   "skbtrace_stack_events_total.");
	if (!re.f)
		return -ENOMEM;
	err = probe_stack_series_each(p, env->stacks, fd, -1, sizeof(struct retransmit_stack_key),
				      offsetof(struct retransmit_stack_key, stack_id), emit_stack,
				      &re, &n);
	return err
		       ?: probe_expo_map(
				  e, p, "retransmit_stack_counts", n,
				  bpf_map__max_entries(rp->skel->maps.retransmit_stack_counts),
				  overflow);
}

static int retransmit_collect(struct probe *p, struct expo *e, const struct probe_env *env)
{
	uint64_t st[SKBTRACE_STAT_MAX];
	int err = probe_read_stats(p, st);

	if (err)
		return err;
	err = emit_retransmits(p, e, env, st[SKBTRACE_STAT_COUNT_OVERFLOW]);
	if (!err && p->cfg.stacks.mode != SKBTRACE_STACKS_OFF)
		err = emit_stacks(p, e, env, st[SKBTRACE_STAT_STACK_COUNT_OVERFLOW]);
	return err;
}

const struct probe_ops retransmit_probe_ops = {
	.name = "retransmit",
	.description = "TCP segments retransmitted (tcp:tcp_retransmit_skb)",
	.filter_mask = FILTER_ALL & ~FILTER_REASONS,
	.methods = retransmit_methods,
	.n_methods = sizeof(retransmit_methods) / sizeof(retransmit_methods[0]),
	.check = retransmit_check,
	.start = retransmit_start,
	.stop = retransmit_stop,
	.collect = retransmit_collect,
};
