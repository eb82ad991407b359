// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conntrack_stat.h"
#include "sysfs.h"

#define MAX_COLUMNS 64

static const char *const columns[CT_STAT_FIELDS] = {
	[CT_STAT_DROP] = "drop",
	[CT_STAT_EARLY_DROP] = "early_drop",
	[CT_STAT_INSERT_FAILED] = "insert_failed",
	[CT_STAT_INVALID] = "invalid",
};

/* Maps each header column to a field, or -1; returns the column count. */
static int parse_header(char *line, int *field_of, int *entries_col)
{
	char *save = NULL, *tok;
	int n = 0;

	*entries_col = -1;
	for (tok = strtok_r(line, " \t\n", &save); tok && n < MAX_COLUMNS;
	     tok = strtok_r(NULL, " \t\n", &save), n++) {
		field_of[n] = -1;
		if (!strcmp(tok, "entries"))
			*entries_col = n;
		for (int f = 0; f < CT_STAT_FIELDS; f++) {
			if (!strcmp(tok, columns[f]))
				field_of[n] = f;
		}
	}
	return n;
}

static void parse_row(char *line, const int *field_of, int n_cols, int entries_col,
		      struct ct_stat *out)
{
	char *save = NULL, *tok;
	int col = 0;

	for (tok = strtok_r(line, " \t\n", &save); tok && col < n_cols;
	     tok = strtok_r(NULL, " \t\n", &save), col++) {
		uint64_t v = strtoull(tok, NULL, 16);

		if (col == entries_col) {
			/* Every row repeats the namespace-wide count. */
			out->entries = v;
		} else if (v) {
			out->active = true;
		}
		if (field_of[col] >= 0)
			out->sum[field_of[col]] += v;
	}
}

int ct_stat_parse(FILE *f, struct ct_stat *out)
{
	int field_of[MAX_COLUMNS], n_cols, entries_col;
	char line[1024];

	memset(out, 0, sizeof(*out));
	if (!fgets(line, sizeof(line), f))
		return -EINVAL;
	n_cols = parse_header(line, field_of, &entries_col);
	while (fgets(line, sizeof(line), f))
		parse_row(line, field_of, n_cols, entries_col, out);
	return 0;
}

int ct_stat_read(struct ct_stat *out)
{
	/* thread-self: the daemon may have moved only this thread into another namespace. */
	FILE *f = fopen("/proc/thread-self/net/stat/nf_conntrack", "re");
	int err;

	if (!f)
		return -errno;
	err = ct_stat_parse(f, out);
	fclose(f);
	if (err)
		return err;
	/* The sysctls follow the opening thread's namespace too. */
	read_u64_file("/proc/sys/net/netfilter/nf_conntrack_count", &out->entries);
	out->has_limit = !read_u64_file("/proc/sys/net/netfilter/nf_conntrack_max", &out->limit);
	out->active = out->active || out->entries;
	return 0;
}
