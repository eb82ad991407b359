// SPDX-License-Identifier: GPL-2.0
/*
 * Retransmit probe: every TCP segment the host retransmits
 * (tcp:tcp_retransmit_skb) →
 * skbtrace_tcp_retransmits_total{state,netns} and
 * skbtrace_tcp_retransmit_stacks_total{netns,stack}.
 */
#include <errno.h>
#include <stdio.h>
#include "bpf_rodata.h"
#include "probe.h"
#include "retransmit.h"
#include "retransmit.skel.h"
#include "series.h"

enum { STATES };

/*
 * Only the tracepoint, which every supported kernel has: the functions
 * around it are inlined differently by each kernel build (on Debian's 6.1
 * fexit of __tcp_retransmit_skb saw none of 352 retransmitted segments), and
 * function entry knows neither the outcome nor the final segment count.
 */
static const enum attach_method retransmit_methods[] = { ATTACH_TP_BTF, ATTACH_RAW_TP,
							 ATTACH_TRACEPOINT };

static const struct probe_program retransmit_programs[] = {
	{ ATTACH_TP_BTF, "retransmit_tp_btf" },
	{ ATTACH_RAW_TP, "retransmit_raw_tp" },
	{ ATTACH_TRACEPOINT, "retransmit_tracepoint" },
};

static const struct probe_map_limit retransmit_map_limits[] = {
	{ "retransmit_counts", PROBE_LIMIT_SERIES },
	{ "retransmit_stack_counts", PROBE_LIMIT_STACK_SERIES },
};

static const struct series_desc retransmit_series[] = {
	{
		.name = "skbtrace_tcp_retransmits_total",
		.help = "TCP segments retransmitted (GSO segments, as TcpRetransSegs counts "
			"them; only retransmits that left the host; no SYN-ACKs), by socket "
			"state and network namespace inode. Exact.",
		.map = "retransmit_counts",
		.overflow = RETRANSMIT_COUNTS_SLOT,
		.labels = { { "state", SERIES_ENUM, SERIES_FIELD(struct retransmit_key, state),
			      .which = STATES },
			    { "netns", SERIES_NETNS, SERIES_FIELD(struct retransmit_key, netns) } },
	},
	{
		.name = "skbtrace_tcp_retransmit_stacks_total",
		.help = "TCP segments retransmitted by kernel stack (stable id, see "
			"skbtrace_stack_info and /stacks). Exact with stacks.mode=exact; "
			"otherwise only events whose stack was captured, see "
			"skbtrace_stack_events_total.",
		.map = "retransmit_stack_counts",
		.overflow = RETRANSMIT_STACK_COUNTS_SLOT,
		.stacks = true,
		.labels = { { "netns", SERIES_NETNS,
			      SERIES_FIELD(struct retransmit_stack_key, netns) },
			    { "stack", SERIES_STACK,
			      SERIES_FIELD(struct retransmit_stack_key, stack_id) } },
	},
};

static int retransmit_prepare(struct probe *p, struct bpf_object *obj, enum attach_method m,
			      const struct probe_env *env, char *err, size_t errlen)
{
	int nargs = probe_need_tracepoint(env->btf, "tcp", "tcp_retransmit_skb", 2, err, errlen);
	bool has_err = nargs >= 3;

	(void)p;
	(void)m;
	return nargs < 0 ? nargs : bpf_rodata_set(obj, "has_err", &has_err, sizeof(has_err));
}

const struct probe_ops retransmit_probe_ops = {
	.name = "retransmit",
	.description = "TCP segments retransmitted (tcp:tcp_retransmit_skb)",
	.filter_mask = FILTER_ALL & ~FILTER_REASONS,
	.elf_bytes = retransmit_bpf__elf_bytes,
	PROBE_LIST(methods, retransmit_methods),
	PROBE_LIST(programs, retransmit_programs),
	PROBE_LIST(map_limits, retransmit_map_limits),
	.enums = { [STATES] = { NULL, "TCP_ESTABLISHED", "TCP_" } },
	.n_enums = 1,
	.reason_kind = "retransmit reason",
	PROBE_LIST(series, retransmit_series),
	.prepare = retransmit_prepare,
};
