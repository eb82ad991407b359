/* SPDX-License-Identifier: GPL-2.0 */
/* Lays a view out on a screen: sections sized to fit, or everything for plain output. */
#ifndef SKBTRACE_TOP_LAYOUT_H
#define SKBTRACE_TOP_LAYOUT_H

#include "top_screen.h"
#include "top_view.h"

struct top_layout_info {
	const char *url;
	const char *when;  /* wall-clock time of the scrape */
	const char *error; /* the last scrape's error, or NULL */
	bool interactive;  /* the "q quits" hint */
};

/* v may be NULL when no scrape succeeded yet.  out's width and height are set by the caller. */
int top_layout(const struct top_view *v, const struct top_layout_info *info,
	       struct top_screen *out);

#endif /* SKBTRACE_TOP_LAYOUT_H */
