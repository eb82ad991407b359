/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the landing page and the flame graphs show, read from the very
 * collection /metrics renders (daemon_collect() with an expo tap), not from
 * its text: probe status, drops by reason and namespace, drop stacks.
 * Bounded by the maps behind those series (limits.max_series,
 * limits.max_stack_series).
 */
#ifndef SKBTRACE_DROP_VIEW_H
#define SKBTRACE_DROP_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "rows.h"

struct daemon;

struct view_probe {
	char *probe, *method; /* method "none" when not attached */
	bool enabled, attached;
};

/* One sample: drops by reason and netns, or by reason and stable stack id. */
struct view_count {
	char *reason, *key;
	uint64_t count;
};

/* A sum over one label, for the top lists. */
struct view_total {
	const char *key;
	uint64_t count;
};

struct drop_view {
	struct rows probes; /* struct view_probe, skbtrace_probe_attached and _enabled */
	struct rows drops;  /* struct view_count: skbtrace_drops_total, key = netns */
	struct rows stacks; /* struct view_count: skbtrace_drop_stacks_total, key = stack */
};

int drop_view_collect(struct daemon *d, struct drop_view *v);
void drop_view_free(struct drop_view *v);

/*
 * Sums of v->drops by reason (by_reason) or by netns, largest first (ties
 * in key order), into *out (malloc'd, pointing into v); the number of keys,
 * or a negative errno.
 */
long drop_view_totals(const struct drop_view *v, bool by_reason, struct view_total **out);

/*
 * The flame graph of the drop stacks with reason `reason` (NULL: all),
 * merged by frames; 0, -ENOENT when no stack has that reason, or a
 * negative errno.  With -ENOENT the graph says so.
 */
int drop_view_flamegraph(const struct drop_view *v, struct daemon *d, const char *reason,
			 bool standalone, FILE *f);

#endif /* SKBTRACE_DROP_VIEW_H */
