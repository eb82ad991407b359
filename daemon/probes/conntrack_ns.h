/* SPDX-License-Identifier: GPL-2.0 */
/* The conntrack probe's scrape-time gauges of every namespace. */
#ifndef SKBTRACE_CONNTRACK_NS_H
#define SKBTRACE_CONNTRACK_NS_H

struct expo;
struct ct_netns_reader;

/*
 * skbtrace_conntrack_entries / _entries_limit / _stat_*_total of every
 * namespace where conntrack is active, from the reader; without one
 * (it could not be loaded), of the daemon's own namespace.
 */
int ct_expo_namespaces(struct expo *e, struct ct_netns_reader *r);

#endif /* SKBTRACE_CONNTRACK_NS_H */
