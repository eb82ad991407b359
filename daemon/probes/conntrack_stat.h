/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's conntrack statistics of the calling thread's network
 * namespace: /proc/net/stat/nf_conntrack (hex, one row per possible CPU,
 * columns named by its header line, which varies between kernels) and the
 * nf_conntrack_count / nf_conntrack_max sysctls.
 */
#ifndef SKBTRACE_CONNTRACK_STAT_H
#define SKBTRACE_CONNTRACK_STAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "conntrack_netns.h" /* enum ct_stat_field */

struct ct_stat {
	uint64_t entries;
	uint64_t limit;
	bool has_limit;
	bool active; /* any entry or any non-zero statistic: conntrack has run here */
	uint64_t sum[CT_STAT_FIELDS]; /* over the rows, one per possible CPU */
};

/* Parses the /proc/net/stat/nf_conntrack table; exposed for the tests. */
int ct_stat_parse(FILE *f, struct ct_stat *out);

/* Reads the calling thread's namespace; -ENOENT when conntrack is not in the kernel. */
int ct_stat_read(struct ct_stat *out);

#endif /* SKBTRACE_CONNTRACK_STAT_H */
