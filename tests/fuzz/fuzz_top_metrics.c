// SPDX-License-Identifier: GPL-2.0
/*
 * What `skbtrace top` does with a /metrics body from the network: the
 * exposition parser, the view (rates against a second scrape made of the
 * first half of the input) and the layout on a bounded and an unbounded
 * screen.  Fails when a screen line is wider than the screen, holds a byte
 * that is not printable ASCII (a terminal escape from a label value), or
 * the bounded screen has more lines than it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "top/top_layout.h"
#include "top/top_parse.h"
#include "top/top_view.h"

static void check_screen(const struct top_screen *s)
{
	if (s->height > 0 && s->n > (size_t)s->height)
		abort();
	for (size_t i = 0; i < s->n; i++) {
		if (s->width > 0 && strlen(s->lines[i]) > (size_t)s->width)
			abort();
		for (const char *p = s->lines[i]; *p; p++)
			if (*p < ' ' || *p >= 0x7f)
				abort();
	}
}

static void lay_out(const struct top_view *v, int width, int height)
{
	struct top_layout_info info = { .url = "http://fuzz/metrics", .when = "now" };
	struct top_screen s = { .width = width, .height = height };

	if (!top_layout(v, &info, &s))
		check_screen(&s);
	top_screen_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct top_scrape cur, prev;
	struct top_view v;
	char err[256];
	int have_prev;

	if (top_parse((const char *)data, size, &cur, err, sizeof(err)))
		return 0;
	have_prev = !top_parse((const char *)data, size / 2, &prev, err, sizeof(err));
	if (!top_view_build(&v, &cur, have_prev ? &prev : NULL, 1.5)) {
		/* The first byte picks a small screen, so that cuts get exercised. */
		lay_out(&v, size ? 10 + data[0] % 120 : 80, size ? 3 + data[0] % 40 : 24);
		lay_out(&v, 80, 24);
		lay_out(&v, 0, 0);
		top_view_free(&v);
	}
	if (have_prev)
		top_scrape_free(&prev);
	top_scrape_free(&cur);
	return 0;
}
