/* SPDX-License-Identifier: GPL-2.0 */
/* The fill of a BPF counting map, as every probe exports it. */
#ifndef SKBTRACE_MAP_EXPO_H
#define SKBTRACE_MAP_EXPO_H

#include <stdint.h>

struct expo;

/* skbtrace_map_entries / _max_entries{probe,map}. */
int map_expo_fill(struct expo *e, const char *probe, const char *map, uint64_t entries,
		  uint64_t max_entries);

/* The same and skbtrace_map_overflow_events_total{probe,map}. */
int map_expo(struct expo *e, const char *probe, const char *map, uint64_t entries,
	     uint64_t max_entries, uint64_t overflow_events);

#endif /* SKBTRACE_MAP_EXPO_H */
