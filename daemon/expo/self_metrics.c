// SPDX-License-Identifier: GPL-2.0
#include "self_metrics.h"

static const struct self_metric_desc descs[SM_COUNT] = {
	[SM_NETNS_EVICTED_SERIES_TOTAL] = {
		.name = "skbtrace_netns_evicted_series_total",
		.type = EXPO_COUNTER,
		.section = "netns",
		.labels = "probe",
		.help = "Series deleted from the probe's BPF maps because their "
			 "network namespace is gone.",
	},
	[SM_STACK_MAP_FREED_TOTAL] = {
		.name = "skbtrace_stack_map_freed_total",
		.type = EXPO_COUNTER,
		.section = "stacks",
		.labels = "probe",
		.help = "Kernel stacks deleted from the probe's stack map because no "
			 "counted series held them any more, which makes room for new "
			 "stacks.",
	},
	[SM_STACK_TABLE_ENTRIES] = {
		.name = "skbtrace_stack_table_entries",
		.type = EXPO_GAUGE,
		.section = "stacks",
		.labels = "",
		.help = "Symbolized stacks the daemon holds, of all probes.",
	},
	[SM_STACK_TABLE_MAX_ENTRIES] = {
		.name = "skbtrace_stack_table_max_entries",
		.type = EXPO_GAUGE,
		.section = "stacks",
		.labels = "",
		.help = "Capacity of the daemon's table of symbolized stacks "
			 "(limits.max_stable_stacks).",
	},
	[SM_STACK_TABLE_EVICTIONS_TOTAL] = {
		.name = "skbtrace_stack_table_evictions_total",
		.type = EXPO_COUNTER,
		.section = "stacks",
		.labels = "trigger",
		.help = "Symbolized stacks forgotten: the least recently used when "
			 "the table was full, or those no series showed at a reload.",
	},
	[SM_STACK_TABLE_FULL_TOTAL] = {
		.name = "skbtrace_stack_table_full_total",
		.type = EXPO_COUNTER,
		.section = "stacks",
		.labels = "",
		.help = "Stacks not symbolized because every entry of the table was "
			 "in use by the same scrape; their series show "
			 "stack=\"unreadable\".",
	},
	[SM_NETNS_INFO] = {
		.name = "skbtrace_netns_info",
		.type = EXPO_GAUGE,
		.section = "netns_info",
		.labels = "netns, kind, name, runtime, pod_uid",
		.help = "What a network namespace is: the host, an ip netns name, a "
			 "container, a pod or a systemd unit (1 per namespace in the "
			 "scrape)",
	},
	[SM_BUILD_INFO] = {
		.name = "skbtrace_build_info",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "version, libbpf_version, kernel",
		.help = "skbtrace build and running kernel; always 1.",
	},
	[SM_HTTP_CONNECTIONS] = {
		.name = "skbtrace_http_connections",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "",
		.help = "HTTP connections open, scrapes and others.",
	},
	[SM_HTTP_CONNECTIONS_REJECTED_TOTAL] = {
		.name = "skbtrace_http_connections_rejected_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "reason",
		.help = "HTTP connections closed at accept: web.max_connections "
			 "reached (connection_limit), or the client's "
			 "web.max_connections_per_client (client_limit), and every "
			 "connection in its scope answering a request, so that none "
			 "could be evicted.",
	},
	[SM_HTTP_CONNECTIONS_EVICTED_TOTAL] = {
		.name = "skbtrace_http_connections_evicted_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "reason",
		.help = "HTTP connections closed to admit a new one, at "
			 "web.max_connections (connection_limit) or the new one's "
			 "client's web.max_connections_per_client (client_limit): the "
			 "one that had waited longest for a request.",
	},
	[SM_HTTP_CONNECTIONS_TIMED_OUT_TOTAL] = {
		.name = "skbtrace_http_connections_timed_out_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "phase",
		.help = "HTTP connections closed for missing a deadline, by the phase "
			 "they were in: headers (web.header_timeout_seconds), response "
			 "or idle (web.idle_timeout_seconds).",
	},
	[SM_HTTP_CLIENTS_REFUSED_TOTAL] = {
		.name = "skbtrace_http_clients_refused_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "reason",
		.help = "HTTP clients turned away: a request without a valid user and "
			 "password of web.basic_auth_users (password, answered 401; "
			 "password_known_wrong when the same wrong one was checked in "
			 "the last 30 s, without bcrypt), a password not checked "
			 "because the bcrypt queue was full (password_queue_full) or "
			 "the client had spent its failed attempts (password_budget), "
			 "both answered 429, or a client certificate that did not "
			 "verify against "
			 "web.tls_server_config.client_ca_file (client_certificate).",
	},
	[SM_PROBE_ENABLED] = {
		.name = "skbtrace_probe_enabled",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "probe",
		.help = "1 if the configuration enables the probe.",
	},
	[SM_PROBE_ATTACH_FAILED] = {
		.name = "skbtrace_probe_attach_failed",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "probe",
		.help = "1 for the probe that no attach method could attach at the "
			 "last reload, which therefore failed.",
	},
	[SM_CONFIG_LAST_RELOAD_SUCCESSFUL] = {
		.name = "skbtrace_config_last_reload_successful",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "",
		.help = "1 unless the last reload failed and the previous "
			 "configuration still runs.",
	},
	[SM_PROBE_ATTACHED] = {
		.name = "skbtrace_probe_attached",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "probe, method",
		.help = "1 if the probe is attached, with the attach method the "
			 "daemon chose.",
	},
	[SM_PROBE_EVENTS_TOTAL] = {
		.name = "skbtrace_probe_events_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "probe",
		.help = "Tracepoint or function hits seen by the probe, before "
			 "filtering.",
	},
	[SM_PROBE_FILTERED_EVENTS_TOTAL] = {
		.name = "skbtrace_probe_filtered_events_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "probe",
		.help = "Hits rejected by the probe's configured filter.",
	},
	[SM_STACK_EVENTS_TOTAL] = {
		.name = "skbtrace_stack_events_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "probe, result",
		.help = "Counted events by stack capture outcome: captured, "
			 "sampled_out (over the per-CPU budget and not sampled) or "
			 "lost (stack table full).",
	},
	[SM_MAP_ENTRIES] = {
		.name = "skbtrace_map_entries",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "probe, map",
		.help = "Entries in use in a BPF aggregation map.",
	},
	[SM_MAP_MAX_ENTRIES] = {
		.name = "skbtrace_map_max_entries",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "probe, map",
		.help = "Capacity of a BPF aggregation map (from the limits config).",
	},
	[SM_MAP_OVERFLOW_EVENTS_TOTAL] = {
		.name = "skbtrace_map_overflow_events_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "probe, map",
		.help = "Events that found the map full and were counted in the "
			 "overflow series instead.",
	},
	[SM_STACK_INFO] = {
		.name = "skbtrace_stack_info",
		.type = EXPO_GAUGE,
		.section = "daemon",
		.labels = "stack, frames",
		.help = "Symbolized frames of each stable stack id that a series of "
			 "this scrape shows, outermost caller first, ';'-separated.",
	},
	[SM_BPF_PROGRAM_RUN_SECONDS_TOTAL] = {
		.name = "skbtrace_bpf_program_run_seconds_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "probe, program",
		.help = "Time the kernel spent running the program, from "
			 "kernel.bpf_stats_enabled (absent while it is 0). The "
			 "dispatch program's time includes the programs of its "
			 "kfree_skb chain.",
	},
	[SM_BPF_PROGRAM_RUNS_TOTAL] = {
		.name = "skbtrace_bpf_program_runs_total",
		.type = EXPO_COUNTER,
		.section = "daemon",
		.labels = "probe, program",
		.help = "Runs of the program, from kernel.bpf_stats_enabled (absent "
			 "while it is 0).",
	},
	[SM_CONNTRACK_ENTRIES] = {
		.name = "skbtrace_conntrack_entries",
		.type = EXPO_GAUGE,
		.section = "conntrack",
		.labels = "netns",
		.help = "Conntrack entries in use in the network namespace "
			 "(nf_conntrack_count).",
	},
	[SM_CONNTRACK_ENTRIES_LIMIT] = {
		.name = "skbtrace_conntrack_entries_limit",
		.type = EXPO_GAUGE,
		.section = "conntrack",
		.labels = "netns",
		.help = "Conntrack table limit (nf_conntrack_max), one value for the "
			 "whole machine, beside each namespace's entries.",
	},
	[SM_CONNTRACK_STAT_DROP_TOTAL] = {
		.name = "skbtrace_conntrack_stat_drop_total",
		.type = EXPO_COUNTER,
		.section = "conntrack",
		.labels = "netns",
		.help = "Kernel conntrack statistic `drop`: packets dropped because "
			 "no entry could be allocated, nearly always a full table.",
	},
	[SM_CONNTRACK_STAT_EARLY_DROP_TOTAL] = {
		.name = "skbtrace_conntrack_stat_early_drop_total",
		.type = EXPO_COUNTER,
		.section = "conntrack",
		.labels = "netns",
		.help = "Kernel conntrack statistic `early_drop`: entries evicted to "
			 "make room in a full table.",
	},
	[SM_CONNTRACK_STAT_INSERT_FAILED_TOTAL] = {
		.name = "skbtrace_conntrack_stat_insert_failed_total",
		.type = EXPO_COUNTER,
		.section = "conntrack",
		.labels = "netns",
		.help = "Kernel conntrack statistic `insert_failed`: entries that "
			 "could not be inserted (e.g. lost races).",
	},
	[SM_CONNTRACK_STAT_INVALID_TOTAL] = {
		.name = "skbtrace_conntrack_stat_invalid_total",
		.type = EXPO_COUNTER,
		.section = "conntrack",
		.labels = "netns",
		.help = "Kernel conntrack statistic `invalid`: packets conntrack "
			 "could not track.",
	},
	[SM_CONNTRACK_NETNS_OVER_LIMIT] = {
		.name = "skbtrace_conntrack_netns_over_limit",
		.type = EXPO_GAUGE,
		.section = "conntrack",
		.labels = "",
		.help = "Network namespaces found but not reported at this scrape "
			 "because of limits.max_series.",
	},
	[SM_LOCATION_INFO] = {
		.name = "skbtrace_location_info",
		.type = EXPO_GAUGE,
		.section = "symbols",
		.labels = "location, source",
		.help = "1 for every location that a series of this scrape shows and that "
			 "the kernel's debug info gives a source line (file:line) for.",
	},
	[SM_DEBUGINFO_BUILD_ID_MISMATCHES_TOTAL] = {
		.name = "skbtrace_debuginfo_build_id_mismatches_total",
		.type = EXPO_COUNTER,
		.section = "symbols",
		.labels = "",
		.help = "Debug files not used for source lines because their build id is "
			 "not the running kernel's.",
	},
};

const struct self_metric_desc *self_metric(enum self_metric id)
{
	return (unsigned int)id < SM_COUNT ? &descs[id] : NULL;
}

struct expo_family *expo_self_family(struct expo *e, enum self_metric id)
{
	const struct self_metric_desc *d = self_metric(id);

	return d ? expo_family(e, d->name, d->type, d->help) : NULL;
}
