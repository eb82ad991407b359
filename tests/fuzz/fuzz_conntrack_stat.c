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
	/* A non-zero statistic means conntrack has run in the namespace. */
	if (!ct_stat_parse(f, &st)) {
		for (int i = 0; i < CT_STAT_FIELDS; i++) {
			if (st.sum[i] && !st.active) {
				fprintf(stderr,
					"statistic %d is %llu but the namespace is inactive\n", i,
					(unsigned long long)st.sum[i]);
				abort();
			}
		}
	}
	fclose(f);
	return 0;
}
