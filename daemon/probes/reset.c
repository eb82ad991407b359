// SPDX-License-Identifier: GPL-2.0
/*
 * Reset probe: every TCP RST sent (tcp:tcp_send_reset, or the functions that
 * fire it) or received (tcp:tcp_receive_reset, or tcp_reset) →
 * skbtrace_tcp_resets_total, skbtrace_tcp_reset_stacks_total and
 * skbtrace_tcp_listen_overflows_total (see reset_metrics.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kfree_skb_chain.h"
#include "log.h"
#include "reset.h"
#include "reset_probe.h"
#include "reset.skel.h"
#include "sysfs.h"

static const enum attach_method reset_methods[] = { ATTACH_TP_BTF, ATTACH_RAW_TP, ATTACH_TRACEPOINT,
						    ATTACH_FENTRY, ATTACH_KPROBE };

/* One program of a method's set; `function` is the kernel function it needs, if any. */
struct reset_prog {
	struct bpf_program *prog;
	const char *function;
	bool optional;	     /* tcp_v6_send_reset: absent when IPv6 is a module or not built */
	bool overflow_drops; /* kfree_skb: only for TCP_LISTEN_OVERFLOW drops */
};

#define RESET_MAX_PROGS 4

#define OVERFLOW_DROPS(prog) ((struct reset_prog){ (prog), NULL, false, true })

static int program_set(struct reset_bpf *skel, enum attach_method m,
		       struct reset_prog out[RESET_MAX_PROGS])
{
	typeof(skel->progs) *pr = &skel->progs;

	switch (m) {
	case ATTACH_TP_BTF:
		out[0] = (struct reset_prog){ pr->reset_send_tp_btf };
		out[1] = (struct reset_prog){ pr->reset_receive_tp_btf };
		out[2] = OVERFLOW_DROPS(pr->reset_ovf_tp_btf);
		return 3;
	case ATTACH_RAW_TP:
		out[0] = (struct reset_prog){ pr->reset_send_raw_tp };
		out[1] = (struct reset_prog){ pr->reset_receive_raw_tp };
		out[2] = OVERFLOW_DROPS(pr->reset_ovf_raw_tp);
		return 3;
	case ATTACH_TRACEPOINT:
		out[0] = (struct reset_prog){ pr->reset_send_tracepoint };
		out[1] = (struct reset_prog){ pr->reset_receive_tracepoint };
		out[2] = OVERFLOW_DROPS(pr->reset_ovf_tracepoint);
		return 3;
	case ATTACH_FENTRY:
		out[0] = (struct reset_prog){ pr->reset_v4_fentry, "tcp_v4_send_reset" };
		out[1] = (struct reset_prog){ pr->reset_v6_fentry, "tcp_v6_send_reset", true };
		out[2] = (struct reset_prog){ pr->reset_active_fentry, "tcp_send_active_reset" };
		out[3] = (struct reset_prog){ pr->reset_receive_fentry, "tcp_reset" };
		return 4;
	case ATTACH_KPROBE:
		out[0] = (struct reset_prog){ pr->reset_v4_kprobe, "tcp_v4_send_reset" };
		out[1] = (struct reset_prog){ pr->reset_v6_kprobe, "tcp_v6_send_reset", true };
		out[2] = (struct reset_prog){ pr->reset_active_kprobe, "tcp_send_active_reset" };
		out[3] = (struct reset_prog){ pr->reset_receive_kprobe, "tcp_reset" };
		return 4;
	default:
		return 0;
	}
}

/*
 * Autoloads exactly the usable programs of the method.  A function missing
 * from vmlinux BTF was inlined, renamed or lives in a module; only the IPv6
 * one may be skipped.
 */
static int choose_programs(struct reset_bpf *skel, enum attach_method m, const struct btf *btf,
			   bool overflow_drops, char *err, size_t errlen)
{
	struct reset_prog set[RESET_MAX_PROGS];
	struct bpf_program *iter;
	int n = program_set(skel, m, set);

	bpf_object__for_each_program (iter, skel->obj)
		bpf_program__set_autoload(iter, false);
	for (int i = 0; i < n; i++) {
		const char *fn = set[i].function;

		if (set[i].overflow_drops && !overflow_drops)
			continue;
		if (fn && btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) < 0) {
			if (!set[i].optional) {
				snprintf(err, errlen, "the kernel has no function %s", fn);
				return -ENOENT;
			}
			log_info("probe reset: no function %s (IPv6 not built in?): "
				 "IPv6 passive resets not counted with %s",
				 fn, attach_method_name(m));
			continue;
		}
		bpf_program__set_autoload(set[i].prog, true);
	}
	return 0;
}

/* The method's kfree_skb program if it is to be loaded, for the kfree_skb chain. */
static struct bpf_program *overflow_program(struct reset_bpf *skel, enum attach_method m)
{
	struct reset_prog set[RESET_MAX_PROGS];
	int n = program_set(skel, m, set);

	for (int i = 0; i < n; i++) {
		if (set[i].overflow_drops && bpf_program__autoload(set[i].prog))
			return set[i].prog;
	}
	return NULL;
}

static int reset_check(const struct probe_config *cfg, const struct probe_env *env, char *err,
		       size_t errlen)
{
	struct skbtrace_filter filter;
	struct enum_names reasons;
	int ret;

	enum_names_load(env->btf, "sk_rst_reason", "SK_RST_REASON_", &reasons);
	ret = probe_filter_to_bpf(cfg, &reasons, "TCP reset reason", &filter, err, errlen);
	enum_names_free(&reasons);
	return ret;
}

static void reset_stop(struct probe *p)
{
	struct reset_probe *rp = p->priv;

	if (!rp)
		return;
	kfree_skb_chain_leave(&rp->chain);
	reset_bpf__destroy(rp->skel);
	enum_names_free(&rp->reasons);
	enum_names_free(&rp->states);
	free(rp);
	p->priv = NULL;
}

/*
 * The drop reason of a handshake's last segment dropped on a full accept
 * queue, when the kernel has it and kfree_skb passes the listener (rx_sk).
 */
static uint32_t overflow_drop_reason(const struct btf *btf)
{
	struct enum_names drop_reasons;
	uint32_t reason;

	if (btf_tracepoint_nargs(btf, "kfree_skb") < 4 ||
	    enum_names_load(btf, "skb_drop_reason", "SKB_DROP_REASON_", &drop_reasons))
		return SKBTRACE_REASON_UNKNOWN;
	if (enum_names_find(&drop_reasons, "TCP_LISTEN_OVERFLOW", &reason))
		reason = SKBTRACE_REASON_UNKNOWN;
	enum_names_free(&drop_reasons);
	return reason;
}

static bool is_tracepoint_method(enum attach_method m)
{
	return m == ATTACH_TP_BTF || m == ATTACH_RAW_TP || m == ATTACH_TRACEPOINT;
}

static int reset_start(struct probe *p, enum attach_method method, const struct probe_env *env,
		       char *err, size_t errlen)
{
	const struct limits_config *lim = env->limits;
	struct skbtrace_stack_policy policy;
	struct skbtrace_filter filter;
	struct bpf_program *ovf;
	struct reset_probe *rp;
	uint32_t listen_state;
	int nargs, ret;

	nargs = btf_tracepoint_nargs(env->btf, "tcp_send_reset");
	if (is_tracepoint_method(method) &&
	    (nargs < 2 || btf_tracepoint_nargs(env->btf, "tcp_receive_reset") < 1)) {
		snprintf(err, errlen,
			 "the kernel has no tracepoints tcp:tcp_send_reset and "
			 "tcp:tcp_receive_reset");
		return -ENOENT;
	}
	/*
	 * Before 6.10 (which also added the reason argument) tcp_send_reset
	 * fires only for resets sent with a full socket: resets to closed
	 * ports would go uncounted, so leave them to fentry or kprobe.
	 */
	if (is_tracepoint_method(method) && nargs < 3) {
		snprintf(err, errlen,
			 "tcp:tcp_send_reset misses resets sent without a socket before 6.10");
		return -ENOENT;
	}
	/* Classic tracepoints, and kprobes on kernels without the kprobe PMU, need tracefs. */
	if ((method == ATTACH_TRACEPOINT || method == ATTACH_KPROBE) &&
	    (ret = tracefs_ensure(err, errlen)))
		return ret;

	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	p->priv = rp;
	rp->chain = KFREE_SKB_LINK_INIT;
	enum_names_load(env->btf, "sk_rst_reason", "SK_RST_REASON_", &rp->reasons);
	enum_names_load_by_member(env->btf, "TCP_ESTABLISHED", "TCP_", &rp->states);
	if (enum_names_find(&rp->states, "LISTEN", &listen_state))
		listen_state = UINT32_MAX;
	ret = probe_filter_to_bpf(&p->cfg, &rp->reasons, "TCP reset reason", &filter, err, errlen);
	if (ret)
		goto cleanup;
	probe_stack_policy(&p->cfg, &policy);

	rp->skel = reset_bpf__open();
	if (!rp->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s", strerror(errno));
		goto cleanup;
	}
	memcpy((void *)&rp->skel->rodata->filter, &filter, sizeof(filter));
	memcpy((void *)&rp->skel->rodata->stack_policy, &policy, sizeof(policy));
	/* The reason argument came to the tracepoint and the functions together, in 6.10. */
	rp->skel->rodata->has_reason = nargs >= 3;
	rp->skel->rodata->tcp_listen_state = listen_state;
	rp->skel->rodata->netns_by_cookie = env->netns_by_cookie;
	rp->skel->rodata->listen_overflow_reason = overflow_drop_reason(env->btf);
	bpf_map__set_max_entries(rp->skel->maps.reset_counts, lim->max_series);
	bpf_map__set_max_entries(rp->skel->maps.listen_overflow_counts, lim->max_series);
	bpf_map__set_max_entries(rp->skel->maps.reset_stack_counts, lim->max_stack_series);
	/* With stacks off the table is never written: do not reserve it. */
	p->max_stacks = policy.mode == SKBTRACE_STACKS_OFF ? 1 : lim->max_stacks;
	bpf_map__set_max_entries(rp->skel->maps.stack_traces, p->max_stacks);

	ret = choose_programs(rp->skel, method, env->btf,
			      rp->skel->rodata->listen_overflow_reason != SKBTRACE_REASON_UNKNOWN,
			      err, errlen);
	if (ret)
		goto cleanup;
	ovf = overflow_program(rp->skel, method);
	if (ovf) {
		ret = kfree_skb_chain_prepare(
			&rp->chain, ovf, method, rp->skel->maps.kfree_skb_chain,
			(uint32_t *)&rp->skel->rodata->kfree_skb_next, err, errlen);
		if (ret)
			goto cleanup;
	}

	ret = reset_bpf__load(rp->skel);
	if (ret) {
		snprintf(err, errlen, "BPF load failed: %s", strerror(-ret));
		goto cleanup;
	}
	/* Attaches the autoloaded programs but the kfree_skb one; the skeleton owns the links. */
	ret = reset_bpf__attach(rp->skel);
	if (ret) {
		snprintf(err, errlen, "attach failed: %s", strerror(-ret));
		goto cleanup;
	}
	if (ovf && (ret = kfree_skb_chain_join(&rp->chain, err, errlen)))
		goto cleanup;
	p->stats_fd = bpf_map__fd(rp->skel->maps.stats);
	p->stack_map_fd = bpf_map__fd(rp->skel->maps.stack_traces);
	p->obj = rp->skel->obj;
	probe_netns_map_add(p, bpf_map__fd(rp->skel->maps.reset_counts),
			    offsetof(struct reset_key, netns));
	probe_netns_map_add(p, bpf_map__fd(rp->skel->maps.reset_stack_counts),
			    offsetof(struct reset_stack_key, netns));
	probe_netns_map_add(p, bpf_map__fd(rp->skel->maps.listen_overflow_counts),
			    offsetof(struct listen_overflow_key, netns));
	return 0;

cleanup:
	reset_stop(p);
	return ret;
}

const struct probe_ops reset_probe_ops = {
	.name = "reset",
	.description = "TCP resets sent and received (tcp:tcp_send_reset, tcp:tcp_receive_reset)",
	.filter_mask = FILTER_ALL,
	.methods = reset_methods,
	.n_methods = sizeof(reset_methods) / sizeof(reset_methods[0]),
	.check = reset_check,
	.start = reset_start,
	.stop = reset_stop,
	.collect = reset_collect,
};
