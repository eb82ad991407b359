/* SPDX-License-Identifier: GPL-2.0 */
/* The conntrack probe's per-namespace work: seeding the BPF side and the scrape-time gauges. */
#ifndef SKBTRACE_CONNTRACK_NS_H
#define SKBTRACE_CONNTRACK_NS_H

#include <stdint.h>

struct expo;

/*
 * Writes each namespace's per-CPU `drop` statistic into the BPF map of
 * struct ct_cpu_key → last value, so that the tracepoint method counts only
 * increments from now on.  At most max_netns namespaces.
 */
int ct_seed_last_drop(int map_fd, uint32_t max_netns);

/*
 * skbtrace_conntrack_entries / _entries_limit / _stat_*_total of every
 * namespace where conntrack is active, at most max_netns of them.
 */
int ct_expo_namespaces(struct expo *e, uint32_t max_netns);

#endif /* SKBTRACE_CONNTRACK_NS_H */
