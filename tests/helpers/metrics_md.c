// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the tables of docs/metrics.md: a probe's series from its series
 * descriptors (daemon/probes/<probe>.c), and a section of the daemon's own
 * families from daemon/expo/self_metrics.c: name, type, labels and the HELP
 * text the daemon serves, so the document cannot drift from the code.
 * tests/docs/metrics_md.sh puts the tables in place, or checks them.
 * Usage: skbtrace-metrics-md --list | series PROBE | families SECTION
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "probe.h"
#include "self_metrics.h"
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

#define HEADER "| metric | type | labels | help, as served |\n|---|---|---|---|\n"

static void table(const struct probe_ops *ops)
{
	printf(HEADER);
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

/* The daemon's own families of one section, in the order of the table. */
static int families(const char *section)
{
	int n = 0;

	printf(HEADER);
	for (int i = 0; i < SM_COUNT; i++) {
		const struct self_metric_desc *d = self_metric(i);
		const char *l = d->labels;

		if (strcmp(d->section, section))
			continue;
		printf("| `%s` | %s | ", d->name, d->type == EXPO_COUNTER ? "counter" : "gauge");
		/* "a, b" → `a`, `b` */
		while (*l) {
			size_t len = strcspn(l, ",");

			printf("`%.*s`%s", (int)len, l, l[len] ? ", " : "");
			l += len;
			l += strspn(l, ", ");
		}
		printf(" | ");
		cell(d->help);
		printf(" |\n");
		n++;
	}
	return n ? 0 : 1;
}

static void list(const struct probe_ops *const *all, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("series %s\n", all[i]->name);
	for (int i = 0; i < SM_COUNT; i++) {
		const char *sec = self_metric(i)->section;
		bool seen = false;

		for (int j = 0; j < i; j++)
			seen = seen || !strcmp(self_metric(j)->section, sec);
		if (!seen)
			printf("families %s\n", sec);
	}
}

int main(int argc, char **argv)
{
	size_t n = 0;
	const struct probe_ops *const *all = probe_ops_all(&n);

	if (argc == 2 && !strcmp(argv[1], "--list"))
		return list(all, n), 0;
	if (argc == 3 && !strcmp(argv[1], "families"))
		return families(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "series")) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(argv[2], all[i]->name))
				return table(all[i]), 0;
	}
	fprintf(stderr, "usage: %s --list | series PROBE | families SECTION\n", argv[0]);
	return 2;
}
