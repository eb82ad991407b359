// SPDX-License-Identifier: GPL-2.0
/*
 * The reset probe's series: skbtrace_tcp_resets_total,
 * skbtrace_tcp_reset_stacks_total and skbtrace_tcp_listen_overflows_total,
 * each with the fill and overflow of its map.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "expo.h"
#include "reset.h"
#include "reset_probe.h"
#include "reset.skel.h"
#include "stacks.h"

static const char *direction_name(uint8_t d)
{
	return d == RESET_SENT ? "sent" : "received";
}

static const char *origin_name(uint8_t o)
{
	static const char *const names[] = { "passive", "active", "peer" };

	return o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

/* The name of an enum value from BTF; `none_name` for the value that means "none". */
static void enum_label(const struct enum_names *names, uint32_t value, uint32_t none,
		       const char *none_name, char *buf, size_t len)
{
	const char *name = enum_names_get(names, value);

	if (value == none)
		snprintf(buf, len, "%s", none_name);
	else if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", value);
}

struct reset_emit {
	const struct reset_probe *rp;
	const struct probe_env *env;
	struct expo_family *f;
};

static int emit_reset(const void *key, uint64_t sum, void *ctx)
{
	const struct reset_key *k = key;
	struct reset_emit *re = ctx;
	char reason[96], state[32], netns[16];

	if (probe_netns_label(re->env, k->netns, netns, sizeof(netns)))
		return 0;
	enum_label(&re->rp->reasons, k->reason, SKBTRACE_REASON_UNKNOWN, "unknown", reason,
		   sizeof(reason));
	enum_label(&re->rp->states, k->state, RESET_STATE_NONE, "no_socket", state, sizeof(state));
	return expo_add_u64(re->f,
			    (struct expo_label[]){ { "direction", direction_name(k->direction) },
						   { "origin", origin_name(k->origin) },
						   { "reason", reason },
						   { "state", state },
						   { "netns", netns } },
			    5, sum);
}

static int emit_resets(struct probe *p, struct expo *e, const struct probe_env *env,
		       uint64_t overflow)
{
	struct reset_probe *rp = p->priv;
	struct reset_emit re = { .rp = rp, .env = env };
	uint64_t n = 0;
	int err;

	re.f = expo_family(e, "skbtrace_tcp_resets_total", EXPO_COUNTER,
			   "TCP resets sent and received, by direction, origin (passive: "
			   "answer to a segment; active: local abort; peer: received), kernel "
			   "reset reason, socket state and network namespace inode. Exact.");
	if (!re.f)
		return -ENOMEM;
	err = percpu_map_sum_each(bpf_map__fd(rp->skel->maps.reset_counts),
				  sizeof(struct reset_key), emit_reset, &re, &n);
	/* Resets that found a map full still count, so the family's sum stays exact. */
	if (!err && overflow)
		err = expo_add_u64(re.f,
				   (struct expo_label[]){ { "direction", "overflow" },
							  { "origin", "overflow" },
							  { "reason", "overflow" },
							  { "state", "overflow" },
							  { "netns", "overflow" } },
				   5, overflow);
	return err
		       ?: probe_expo_map(e, p, "reset_counts", n,
					 bpf_map__max_entries(rp->skel->maps.reset_counts),
					 overflow);
}

static int emit_overflow(const void *key, uint64_t sum, void *ctx)
{
	const struct listen_overflow_key *k = key;
	struct reset_emit *re = ctx;
	char netns[16], port[8];

	if (probe_netns_label(re->env, k->netns, netns, sizeof(netns)))
		return 0;
	snprintf(port, sizeof(port), "%u", k->port);
	return expo_add_u64(re->f, (struct expo_label[]){ { "netns", netns }, { "port", port } }, 2,
			    sum);
}

static uint64_t listen_overflow_lost(const struct reset_probe *rp)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *v, sum = 0;
	uint32_t zero = 0;

	if (ncpus <= 0)
		return 0;
	v = calloc(ncpus, sizeof(*v));
	if (v && !bpf_map_lookup_elem(bpf_map__fd(rp->skel->maps.listen_overflow_lost), &zero, v)) {
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	}
	free(v);
	return sum;
}

static int emit_listen_overflows(struct probe *p, struct expo *e, const struct probe_env *env)
{
	struct reset_probe *rp = p->priv;
	uint64_t n = 0, lost = listen_overflow_lost(rp);
	struct reset_emit re = { .rp = rp, .env = env };
	struct expo_family *f;
	int err;

	f = expo_family(e, "skbtrace_tcp_listen_overflows_total", EXPO_COUNTER,
			"Handshakes whose last segment found the listener's accept queue full "
			"(TcpExtListenOverflows at handshake completion), by network namespace "
			"inode and listening port. Kernels before 6.15: only those reset by "
			"tcp_abort_on_overflow=1. SYNs dropped on a full queue are not included; "
			"see docs/reset-probe.md.");
	if (!f)
		return -ENOMEM;
	re.f = f;
	err = percpu_map_sum_each(bpf_map__fd(rp->skel->maps.listen_overflow_counts),
				  sizeof(struct listen_overflow_key), emit_overflow, &re, &n);
	if (!err && lost)
		err = expo_add_u64(
			f, (struct expo_label[]){ { "netns", "overflow" }, { "port", "overflow" } },
			2, lost);
	return err
		       ?: probe_expo_map(
				  e, p, "listen_overflow_counts", n,
				  bpf_map__max_entries(rp->skel->maps.listen_overflow_counts),
				  lost);
}

struct reset_stack_emit {
	const struct probe_env *env;
	struct expo_family *f;
};

static int emit_stack(const void *key, const char *stack, uint64_t count, void *ctx)
{
	const struct reset_stack_key *k = key;
	struct reset_stack_emit *se = ctx;
	char netns[16];

	if (probe_netns_label(se->env, k->netns, netns, sizeof(netns)))
		return 0;
	stack_table_note(se->env->stacks, stack, HINT_RESET_ORIGIN, origin_name(k->origin));
	return expo_add_u64(se->f,
			    (struct expo_label[]){ { "direction", direction_name(k->direction) },
						   { "origin", origin_name(k->origin) },
						   { "netns", netns },
						   { "stack", stack } },
			    4, count);
}

static int emit_stacks(struct probe *p, struct expo *e, const struct probe_env *env,
		       uint64_t overflow)
{
	struct reset_probe *rp = p->priv;
	struct reset_stack_emit se = { .env = env };
	uint64_t n = 0;
	int err;

	se.f = expo_family(e, "skbtrace_tcp_reset_stacks_total", EXPO_COUNTER,
			   "TCP resets by kernel stack (stable id, see skbtrace_stack_info and "
			   "/stacks). Exact with stacks.mode=exact; otherwise only events whose "
			   "stack was captured, see skbtrace_stack_events_total.");
	if (!se.f)
		return -ENOMEM;
	err = probe_stack_series_each(
		p, env->stacks, bpf_map__fd(rp->skel->maps.reset_stack_counts), -1,
		sizeof(struct reset_stack_key), offsetof(struct reset_stack_key, stack_id),
		emit_stack, &se, &n);
	return err
		       ?: probe_expo_map(e, p, "reset_stack_counts", n,
					 bpf_map__max_entries(rp->skel->maps.reset_stack_counts),
					 overflow);
}

int reset_collect(struct probe *p, struct expo *e, const struct probe_env *env)
{
	uint64_t st[SKBTRACE_STAT_MAX];
	int err = probe_read_stats(p, st);

	if (err)
		return err;
	err = emit_resets(p, e, env, st[SKBTRACE_STAT_COUNT_OVERFLOW]);
	err = err ?: emit_listen_overflows(p, e, env);
	if (!err && p->cfg.stacks.mode != SKBTRACE_STACKS_OFF)
		err = emit_stacks(p, e, env, st[SKBTRACE_STAT_STACK_COUNT_OVERFLOW]);
	return err;
}
