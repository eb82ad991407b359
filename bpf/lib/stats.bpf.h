/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Per-CPU probe statistics and the "count one event under this key" helper
 * that every probe uses.  The daemon finds the map by its name, "stats".
 */
#ifndef SKBTRACE_STATS_BPF_H
#define SKBTRACE_STATS_BPF_H

#include "../skbtrace.h"

#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef BPF_NOEXIST
#define BPF_NOEXIST 1
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct skbtrace_stats);
} stats SEC(".maps");

static __always_inline struct skbtrace_stats *stats_this_cpu(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline void stat_inc(struct skbtrace_stats *s, enum skbtrace_stat which)
{
	if (s)
		s->v[which]++;
}

/*
 * Counts in the overflow slot of a counting map (the map's index among the
 * probe's counting maps, as in its header) what the full map could not take.
 */
static __always_inline void overflow_add(struct skbtrace_stats *s, unsigned int slot, __u64 n)
{
	if (s && slot < SKBTRACE_OVERFLOW_SLOTS) {
		s->overflow[slot].events++;
		s->overflow[slot].amount += n;
	}
}

/*
 * Adds n to a per-CPU hash counter.  Returns false when the map is full,
 * so that the caller can count the event in its overflow slot instead of
 * losing it.
 */
static __always_inline bool count_add(void *map, const void *key, __u64 n)
{
	__u64 *v;
	long err;

	v = bpf_map_lookup_elem(map, key);
	if (v) {
		*v += n;
		return true;
	}
	err = bpf_map_update_elem(map, key, &n, BPF_NOEXIST);
	if (!err)
		return true;
	if (err == -EEXIST) {
		/* Another CPU created the key between our lookup and update. */
		v = bpf_map_lookup_elem(map, key);
		if (v) {
			*v += n;
			return true;
		}
	}
	return false;
}

static __always_inline bool count_in(void *map, const void *key)
{
	return count_add(map, key, 1);
}

/* Adds n under key, or to the map's overflow slot when the map is full. */
static __always_inline void count_or_overflow(struct skbtrace_stats *s, void *map, const void *key,
					      __u64 n, unsigned int slot)
{
	if (!count_add(map, key, n))
		overflow_add(s, slot, n);
}

#endif /* SKBTRACE_STATS_BPF_H */
