// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's source cache on given debug files (tests/integration/
 * test_symbolize.sh): the kernel it describes is not the one running, so
 * its release and build id are given as `skbtrace symbolize` takes them.
 *   skbtrace-source-check SCRAPES DEBUG_ROOT RELEASE VMLINUX_BUILD_ID LOCATION...
 * Prints scrapes' skbtrace_location_info (and the mismatch counter) as
 * /metrics shows them, as "scrape N: LINE", 1.1 s apart so that the
 * resolving budget refills between them, until one shows no more series
 * than the one before (every scrape resolves at least one location while
 * any is left) or SCRAPES were made; then "answer LOCATION FILE:LINE
 * INLINED" for each location the cache answers ("f at file:line, ..." or
 * "-").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "expo.h"
#include "symbols/source_cache.h"

/* Returns the number of samples, or -1. */
static int scrape(struct source_cache *c, int n, char **locs, int which)
{
	int samples = 0;
	struct expo *e = expo_new();
	char *text, *line, *save = NULL;
	size_t len;

	if (!e)
		return -1;
	for (int i = 0; i < n; i++)
		source_cache_note(c, locs[i]);
	if (source_cache_expo(c, e)) {
		expo_free(e);
		return -1;
	}
	text = expo_render(e, &len);
	expo_free(e);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		printf("scrape %d: %s\n", which, line);
		samples += line[0] != '#';
	}
	free(text);
	return samples;
}

int main(int argc, char **argv)
{
	struct sym_module_id id = { NULL, NULL };
	struct symbolizer_opts o = { 0 };
	struct source_cache *c;

	int scrapes = argc > 1 ? atoi(argv[1]) : 0;

	if (argc < 6 || scrapes < 1) {
		fprintf(stderr,
			"usage: %s SCRAPES DEBUG_ROOT RELEASE VMLINUX_BUILD_ID LOCATION...\n",
			argv[0]);
		return 2;
	}
	o.debug_root = argv[2];
	o.release = argv[3];
	id.build_id = argv[4];
	o.ids = &id;
	o.n_ids = 1;
	c = source_cache_new(&o);
	if (!c)
		return 1;
	for (int i = 1, last = -1, n; i <= scrapes; i++, last = n) {
		if (i > 1)
			usleep(1100000);
		n = scrape(c, argc - 5, argv + 5, i);
		if (n < 0)
			return 1;
		if (n == last)
			break;
	}
	for (int i = 5; i < argc; i++) {
		const struct source_answer *a = source_cache_get(c, argv[i]);

		if (!a)
			continue;
		printf("answer %s %s ", argv[i], a->source);
		for (size_t k = 0; k < a->n_inlined; k++)
			printf("%s%s at %s", k ? ", " : "", a->inlined[k].func, a->inlined[k].at);
		printf("%s\n", a->n_inlined ? "" : "-");
	}
	source_cache_free(c);
	return 0;
}
