/* SPDX-License-Identifier: GPL-2.0 */
/* What `skbtrace top` shows, computed from one scrape and, for rates, the one before. */
#ifndef SKBTRACE_TOP_VIEW_H
#define SKBTRACE_TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "top_parse.h"

#define TOP_ROW_FIELDS 5

/*
 * One series, or the sum of the series sharing the fields that `top` shows
 * (resets are summed over state).  Strings point into the current scrape.
 */
struct top_row {
	const char *f[TOP_ROW_FIELDS];
	double total;
	double rate; /* per second; meaningful when the view has_rates */
};

struct top_rows {
	struct top_row *r;
	size_t n;
};

/* Field order of each section's rows. */
enum { DROP_REASON, DROP_LOCATION, DROP_NETNS };
enum { STACK_KIND, STACK_WHAT, STACK_NETNS, STACK_ID };
enum { RESET_DIRECTION, RESET_ORIGIN, RESET_REASON, RESET_NETNS, RESET_PORT };

struct top_conntrack {
	const char *netns;
	double entries, limit;
};

struct top_probe {
	const char *name;
	const char *method; /* NULL when not attached */
	bool enabled, attach_failed;
	double overflows, stacks_lost; /* totals */
};

struct top_view {
	bool has_rates;
	double interval_s;
	struct top_rows drops, stacks, resets; /* sorted by rate (or total), highest first */
	struct top_conntrack *conntrack;       /* fullest first */
	size_t n_conntrack;
	struct top_probe *probes;
	size_t n_probes;
	const struct top_scrape *cur;
};

/* prev may be NULL (first screen: totals only). */
int top_view_build(struct top_view *v, const struct top_scrape *cur, const struct top_scrape *prev,
		   double interval_s);
void top_view_free(struct top_view *v);

/* The skbtrace_netns_info name of a namespace inode, else the inode itself. */
const char *top_view_netns(const struct top_view *v, const char *netns);

/*
 * A stack's frames from skbtrace_stack_info, innermost first as bpftrace
 * prints kstack: fills at most max pointers into buf (a copy of the frames
 * label, cut in place) and returns how many frames there are in all.
 */
size_t top_view_frames(const struct top_view *v, const char *stack, char *buf, size_t bufsize,
		       const char **frames, size_t max);

#endif /* SKBTRACE_TOP_VIEW_H */
