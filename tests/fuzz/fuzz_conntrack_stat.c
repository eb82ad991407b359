// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/stat/nf_conntrack as ct_stat_read() hands it to ct_stat_parse():
 * a header line naming the columns, then one row of hex numbers per CPU.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "probes/conntrack_stat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_stat st;
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f) {
		perror("fmemopen");
		abort();
	}
	if (!ct_stat_parse(f, &st) && (st.n_cpus < 0 || st.n_cpus > CT_STAT_MAX_CPUS)) {
		fprintf(stderr, "n_cpus %d out of range\n", st.n_cpus);
		abort();
	}
	fclose(f);
	return 0;
}
