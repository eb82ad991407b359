/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conntrack statistics and entry count of every network namespace, read
 * at scrape time by bpf/conntrack_netns.bpf.c, which the daemon runs on each
 * online CPU (see there why that needs no setns() and no process walk).
 */
#ifndef SKBTRACE_CONNTRACK_NETNS_READER_H
#define SKBTRACE_CONNTRACK_NETNS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conntrack_netns.h"

struct btf;
struct ct_netns_reader;

struct ct_netns_row {
	uint32_t inum;
	bool active; /* conntrack has run here: an entry or a statistic not zero */
	bool has_count;
	uint64_t entries;
	uint64_t sum[CT_STAT_FIELDS]; /* over the online CPUs */
};

struct ct_netns_table {
	struct ct_netns_row *v; /* the daemon's own namespace first, then by age */
	size_t n;
	uint64_t over_limit; /* namespaces seen beyond the bound */
};

/*
 * Loads the reader for at most max_netns namespaces (fewer before 5.17, see
 * CT_NETNS_BOUNDED); btf is vmlinux's, used during the call only;
 * netns_by_cookie as the probes' (bpf/lib/netns.bpf.h), for the seed's keys.
 */
int ct_netns_reader_open(struct ct_netns_reader **out, const struct btf *btf, uint32_t max_netns,
			 bool netns_by_cookie, char *err, size_t errlen);
void ct_netns_reader_free(struct ct_netns_reader *r);


/*
 * Reads every namespace.  With seed_fd >= 0, also writes each namespace's
 * per-CPU `drop` statistic into that map of struct ct_cpu_key (by namespace
 * id) → __u32.
 */
int ct_netns_read(struct ct_netns_reader *r, struct ct_netns_table *out, int seed_fd);
void ct_netns_table_free(struct ct_netns_table *t);

#endif /* SKBTRACE_CONNTRACK_NETNS_READER_H */
