// SPDX-License-Identifier: GPL-2.0
/*
 * Reset probe: every TCP RST sent (tcp:tcp_send_reset, or the functions that
 * fire it) or received (tcp:tcp_receive_reset, or tcp_reset) →
 * skbtrace_tcp_resets_total, skbtrace_tcp_reset_stacks_total and
 * skbtrace_tcp_listen_overflows_total.
 */
#include <errno.h>
#include <stdio.h>
#include "bpf_rodata.h"
#include "probe.h"
#include "reset.h"
#include "reset.skel.h"
#include "series.h"

enum { REASONS, STATES };

static const enum attach_method reset_methods[] = { ATTACH_TP_BTF, ATTACH_RAW_TP, ATTACH_TRACEPOINT,
						    ATTACH_FENTRY, ATTACH_KPROBE };

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

/* Listen overflows come from their drops where the kernel names them (6.15+). */
static bool overflow_drops_named(const struct probe_env *env)
{
	return overflow_drop_reason(env->btf) != SKBTRACE_REASON_UNKNOWN;
}

#define OVERFLOW_DROPS(method, name)                                                               \
	{                                                                                          \
		method, name, .flags = PROBE_PROG_KFREE_SKB_CHAIN, .wanted = overflow_drops_named  \
	}

/* A function missing from vmlinux BTF or kallsyms was inlined or renamed: only IPv6 may be. */
static const struct probe_program reset_programs[] = {
	{ ATTACH_TP_BTF, "reset_send_tp_btf" },
	{ ATTACH_TP_BTF, "reset_receive_tp_btf" },
	OVERFLOW_DROPS(ATTACH_TP_BTF, "reset_ovf_tp_btf"),
	{ ATTACH_RAW_TP, "reset_send_raw_tp" },
	{ ATTACH_RAW_TP, "reset_receive_raw_tp" },
	OVERFLOW_DROPS(ATTACH_RAW_TP, "reset_ovf_raw_tp"),
	{ ATTACH_TRACEPOINT, "reset_send_tracepoint" },
	{ ATTACH_TRACEPOINT, "reset_receive_tracepoint" },
	OVERFLOW_DROPS(ATTACH_TRACEPOINT, "reset_ovf_tracepoint"),
	{ ATTACH_FENTRY, "reset_v4_fentry", "tcp_v4_send_reset" },
	/* Absent when IPv6 is a module, or not built. */
	{ ATTACH_FENTRY, "reset_v6_fentry", "tcp_v6_send_reset", PROBE_PROG_OPTIONAL },
	{ ATTACH_FENTRY, "reset_active_fentry", "tcp_send_active_reset" },
	{ ATTACH_FENTRY, "reset_receive_fentry", "tcp_reset" },
	{ ATTACH_KPROBE, "reset_v4_kprobe", "tcp_v4_send_reset" },
	{ ATTACH_KPROBE, "reset_v6_kprobe", "tcp_v6_send_reset", PROBE_PROG_OPTIONAL },
	{ ATTACH_KPROBE, "reset_active_kprobe", "tcp_send_active_reset" },
	{ ATTACH_KPROBE, "reset_receive_kprobe", "tcp_reset" },
};

static const struct probe_map_limit reset_map_limits[] = {
	{ "reset_counts", PROBE_LIMIT_SERIES },
	{ "listen_overflow_counts", PROBE_LIMIT_SERIES },
	{ "reset_stack_counts", PROBE_LIMIT_STACK_SERIES },
};

static const char *const directions[] = { [RESET_SENT] = "sent", [RESET_RECEIVED] = "received" };
static const char *const origins[] = {
	[RESET_PASSIVE] = "passive", [RESET_ACTIVE] = "active", [RESET_PEER] = "peer"
};

#define NAMES(key, member, table)                                                                  \
	SERIES_FIELD(key, member), .names = table, .n_names = sizeof(table) / sizeof(table[0])

static const struct series_desc reset_series[] = {
	{
		.name = "skbtrace_tcp_resets_total",
		.help = "TCP resets sent and received, by direction, origin (passive: answer to "
			"a segment; active: local abort; peer: received), kernel reset reason, "
			"socket state and network namespace inode. Exact.",
		.map = "reset_counts",
		.overflow = RESET_COUNTS_SLOT,
		.labels = { { "direction", SERIES_NAMES,
			      NAMES(struct reset_key, direction, directions) },
			    { "origin", SERIES_NAMES, NAMES(struct reset_key, origin, origins) },
			    { "reason", SERIES_ENUM, SERIES_FIELD(struct reset_key, reason),
			      .which = REASONS, .none = SKBTRACE_REASON_UNKNOWN,
			      .none_name = "unknown" },
			    { "state", SERIES_ENUM, SERIES_FIELD(struct reset_key, state),
			      .which = STATES, .none = RESET_STATE_NONE, .none_name = "no_socket" },
			    { "netns", SERIES_NETNS, SERIES_FIELD(struct reset_key, netns) } },
	},
	{
		.name = "skbtrace_tcp_listen_overflows_total",
		.help = "Handshakes whose last segment found the listener's accept queue full "
			"(TcpExtListenOverflows at handshake completion), by network namespace "
			"inode and listening port. Kernels before 6.15: only those reset by "
			"tcp_abort_on_overflow=1. SYNs dropped on a full queue are not included; "
			"see docs/reset-probe.md.",
		.map = "listen_overflow_counts",
		.overflow = LISTEN_OVERFLOW_COUNTS_SLOT,
		.labels = { { "netns", SERIES_NETNS,
			      SERIES_FIELD(struct listen_overflow_key, netns) },
			    { "port", SERIES_UINT,
			      SERIES_FIELD(struct listen_overflow_key, port) } },
	},
	{
		.name = "skbtrace_tcp_reset_stacks_total",
		.help = "TCP resets by kernel stack (stable id, see skbtrace_stack_info and "
			"/stacks). Exact with stacks.mode=exact; otherwise only events whose "
			"stack was captured, see skbtrace_stack_events_total.",
		.map = "reset_stack_counts",
		.overflow = RESET_STACK_COUNTS_SLOT,
		.stacks = true,
		.hint_label = "origin",
		.hint = HINT_RESET_ORIGIN,
		.labels = { { "direction", SERIES_NAMES,
			      NAMES(struct reset_stack_key, direction, directions) },
			    { "origin", SERIES_NAMES,
			      NAMES(struct reset_stack_key, origin, origins) },
			    { "netns", SERIES_NETNS, SERIES_FIELD(struct reset_stack_key, netns) },
			    { "stack", SERIES_STACK,
			      SERIES_FIELD(struct reset_stack_key, stack_id) } },
	},
};

static bool is_tracepoint_method(enum attach_method m)
{
	return m == ATTACH_TP_BTF || m == ATTACH_RAW_TP || m == ATTACH_TRACEPOINT;
}

static int reset_prepare(struct probe *p, struct bpf_object *obj, enum attach_method m,
			 const struct probe_env *env, char *err, size_t errlen)
{
	int nargs = btf_tracepoint_nargs(env->btf, "tcp_send_reset");
	uint32_t listen_state, overflow_reason = overflow_drop_reason(env->btf);
	/* The reason argument came to the tracepoint and the functions together, in 6.10. */
	bool has_reason = nargs >= 3;

	if (is_tracepoint_method(m) &&
	    (nargs < 2 || btf_tracepoint_nargs(env->btf, "tcp_receive_reset") < 1)) {
		snprintf(err, errlen,
			 "the kernel has no tracepoints tcp:tcp_send_reset and "
			 "tcp:tcp_receive_reset");
		return -ENOENT;
	}
	/*
	 * Before 6.10 tcp_send_reset fires only for resets sent with a full
	 * socket: resets to closed ports would go uncounted, so leave them to
	 * fentry or kprobe.
	 */
	if (is_tracepoint_method(m) && nargs < 3) {
		snprintf(err, errlen,
			 "tcp:tcp_send_reset misses resets sent without a socket before 6.10");
		return -ENOENT;
	}
	if (enum_names_find(&p->enums[STATES], "LISTEN", &listen_state))
		listen_state = UINT32_MAX;
	return bpf_rodata_set(obj, "has_reason", &has_reason, sizeof(has_reason))
		       ?: bpf_rodata_set(obj, "tcp_listen_state", &listen_state,
					 sizeof(listen_state))
		       ?: bpf_rodata_set(obj, "listen_overflow_reason", &overflow_reason,
					 sizeof(overflow_reason));
}

const struct probe_ops reset_probe_ops = {
	.name = "reset",
	.description = "TCP resets sent and received (tcp:tcp_send_reset, tcp:tcp_receive_reset)",
	.filter_mask = FILTER_ALL,
	.elf_bytes = reset_bpf__elf_bytes,
	PROBE_LIST(methods, reset_methods),
	PROBE_LIST(programs, reset_programs),
	PROBE_LIST(map_limits, reset_map_limits),
	.enums = { [REASONS] = { "sk_rst_reason", NULL, "SK_RST_REASON_" },
		   [STATES] = { NULL, "TCP_ESTABLISHED", "TCP_" } },
	.n_enums = 2,
	.reason_enum = "sk_rst_reason",
	.reason_kind = "TCP reset reason",
	PROBE_LIST(series, reset_series),
	.prepare = reset_prepare,
};
