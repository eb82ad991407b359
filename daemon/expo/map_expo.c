// SPDX-License-Identifier: GPL-2.0
/* The fill of a BPF counting map: how close a probe is to counting in overflow. */
#include <errno.h>
#include "expo.h"
#include "map_expo.h"
#include "self_metrics.h"

int map_expo_fill(struct expo *e, const char *probe, const char *map, uint64_t entries,
		  uint64_t max_entries)
{
	struct expo_label l[] = { { "probe", probe }, { "map", map } };
	struct expo_family *fill, *cap;

	fill = expo_self_family(e, SM_MAP_ENTRIES);
	cap = expo_self_family(e, SM_MAP_MAX_ENTRIES);
	if (!fill || !cap)
		return -ENOMEM;
	return expo_add_u64(fill, l, 2, entries) ?: expo_add_u64(cap, l, 2, max_entries);
}

int map_expo(struct expo *e, const char *probe, const char *map, uint64_t entries,
	     uint64_t max_entries, uint64_t overflow_events)
{
	struct expo_label l[] = { { "probe", probe }, { "map", map } };
	struct expo_family *over;

	over = expo_self_family(e, SM_MAP_OVERFLOW_EVENTS_TOTAL);
	if (!over)
		return -ENOMEM;
	return map_expo_fill(e, probe, map, entries, max_entries)
		       ?: expo_add_u64(over, l, 2, overflow_events);
}
