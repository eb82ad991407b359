/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A per-CPU direct-mapped cache in front of a per-CPU counter hash.  A hash
 * update touches a bucket, an element and its per-CPU value, three pages
 * that a storm's syscalls keep evicting from the TLB, and costs most of the
 * drop probe's time per event; a slot sits next to its neighbours in one
 * per-CPU array.
 *
 * The hash stays the set of series: a key takes a free slot only once it is
 * in the hash, and keeps it for the map's life, so max_series bounds the
 * series exactly as without the cache, and a key's count is its hash value
 * plus its slots' counts.  Counts never move between the two, so a scrape
 * reading one after the other still sees every counter rise monotonically.
 */
#ifndef SKBTRACE_COUNT_CACHE_BPF_H
#define SKBTRACE_COUNT_CACHE_BPF_H

#include "../skbtrace.h"
#include "stats.bpf.h"

#define COUNT_CACHE_MAP(name)                                                                      \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                           \
		__uint(max_entries, 1);                                                            \
		__type(key, __u32);                                                                \
		__type(value, struct skbtrace_count_cache);                                        \
	} name SEC(".maps")

/* Counts one event of a 16-byte key; false when it found the hash full. */
static __always_inline bool count_cached(void *cache_map, void *hash, const void *key)
{
	const __u64 *k = key;
	struct skbtrace_count_cache *c;
	struct skbtrace_count_slot *sl;
	__u32 zero = 0, i;

	c = bpf_map_lookup_elem(cache_map, &zero);
	if (!c)
		return count_in(hash, key);
	i = ((k[0] ^ k[1]) * 0x9e3779b97f4a7c15ULL) >> (64 - SKBTRACE_COUNT_CACHE_BITS);
	sl = &c->slot[i & (SKBTRACE_COUNT_CACHE_SLOTS - 1)];
	if (sl->key[1] && sl->key[0] == k[0] && sl->key[1] == k[1]) {
		sl->count++;
		return true;
	}
	if (!count_in(hash, key))
		return false;
	/* The daemon may read the slot at any time: key[1] publishes the key. */
	if (!sl->key[1] && k[1]) {
		sl->key[0] = k[0];
		asm volatile("" ::: "memory");
		sl->key[1] = k[1];
	}
	return true;
}

#endif /* SKBTRACE_COUNT_CACHE_BPF_H */
