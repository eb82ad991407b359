/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's own families (everything but the probes' series, which their
 * series descriptors describe): name, type, HELP text and labels, once.  The
 * code that exports a family takes it from here (expo_self_family()), and
 * docs/metrics.md's tables of them are generated from here
 * (tests/helpers/metrics_md.c), so the two cannot drift apart.
 */
#ifndef SKBTRACE_SELF_METRICS_H
#define SKBTRACE_SELF_METRICS_H

#include <stddef.h>
#include "expo.h"

enum self_metric {
	SM_NETNS_EVICTED_SERIES_TOTAL,
	SM_STACK_MAP_FREED_TOTAL,
	SM_STACK_TABLE_ENTRIES,
	SM_STACK_TABLE_MAX_ENTRIES,
	SM_STACK_TABLE_EVICTIONS_TOTAL,
	SM_STACK_TABLE_FULL_TOTAL,
	SM_NETNS_INFO,
	SM_BUILD_INFO,
	SM_HTTP_CONNECTIONS,
	SM_HTTP_CONNECTIONS_REJECTED_TOTAL,
	SM_HTTP_CONNECTIONS_EVICTED_TOTAL,
	SM_HTTP_CONNECTIONS_TIMED_OUT_TOTAL,
	SM_HTTP_CLIENTS_REFUSED_TOTAL,
	SM_PROBE_ENABLED,
	SM_PROBE_ATTACH_FAILED,
	SM_CONFIG_LAST_RELOAD_SUCCESSFUL,
	SM_PROBE_ATTACHED,
	SM_PROBE_EVENTS_TOTAL,
	SM_PROBE_FILTERED_EVENTS_TOTAL,
	SM_STACK_EVENTS_TOTAL,
	SM_MAP_ENTRIES,
	SM_MAP_MAX_ENTRIES,
	SM_MAP_OVERFLOW_EVENTS_TOTAL,
	SM_STACK_INFO,
	SM_BPF_PROGRAM_RUN_SECONDS_TOTAL,
	SM_BPF_PROGRAM_RUNS_TOTAL,
	SM_CONNTRACK_ENTRIES,
	SM_CONNTRACK_ENTRIES_LIMIT,
	SM_CONNTRACK_STAT_DROP_TOTAL,
	SM_CONNTRACK_STAT_EARLY_DROP_TOTAL,
	SM_CONNTRACK_STAT_INSERT_FAILED_TOTAL,
	SM_CONNTRACK_STAT_INVALID_TOTAL,
	SM_CONNTRACK_NETNS_OVER_LIMIT,
	SM_LOCATION_INFO,
	SM_DEBUGINFO_BUILD_ID_MISMATCHES_TOTAL,
	SM_COUNT
};

struct self_metric_desc {
	const char *name;
	enum expo_type type;
	const char *section; /* which table of docs/metrics.md */
	const char *labels;  /* for the docs: the label names, ", "-separated */
	const char *help;
};

const struct self_metric_desc *self_metric(enum self_metric id);
/* The family of id in e, created with its type and HELP text; NULL without memory. */
struct expo_family *expo_self_family(struct expo *e, enum self_metric id);

#endif
