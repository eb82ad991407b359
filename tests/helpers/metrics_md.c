// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the table of a probe's series for docs/metrics.md from its series
 * descriptors (daemon/probes/<probe>.c): name, type, labels and the HELP
 * text the daemon serves, so the document cannot drift from the code.
 * tests/docs/metrics_md.sh puts the tables in place, or checks them.
 * Usage: skbtrace-metrics-md --list | PROBE
 */
#include <stdio.h>
#include <string.h>
#include "probe.h"
#include "series.h"

/* A table cell: a | would end it. */
static void cell(const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', stdout);
		fputc(*s, stdout);
	}
}

static void table(const struct probe_ops *ops)
{
	printf("| metric | type | labels | help, as served |\n|---|---|---|---|\n");
	for (size_t i = 0; i < ops->n_series; i++) {
		const struct series_desc *d = &ops->series[i];
		size_t n = series_n_labels(d);

		printf("| `%s` | counter | ", d->name);
		for (size_t l = 0; l < n; l++)
			printf("%s`%s`", l ? ", " : "", d->labels[l].name);
		printf(" | ");
		cell(d->help);
		printf(" |\n");
	}
}

int main(int argc, char **argv)
{
	size_t n = 0;
	const struct probe_ops *const *all = probe_ops_all(&n);

	if (argc != 2) {
		fprintf(stderr, "usage: %s --list | PROBE\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(argv[1], "--list"))
			printf("%s\n", all[i]->name);
		else if (!strcmp(argv[1], all[i]->name))
			return table(all[i]), 0;
	}
	if (strcmp(argv[1], "--list")) {
		fprintf(stderr, "%s: no probe %s\n", argv[0], argv[1]);
		return 1;
	}
	return 0;
}
