/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A per-CPU direct-mapped cache in front of a per-CPU counter hash.  A hash
 * update touches a bucket, an element and its per-CPU value, three pages
 * that a storm's syscalls keep evicting from the TLB, and costs most of the
 * drop probe's time per event; a slot sits next to its neighbours in one
 * per-CPU array.
 *
 * The hash stays the set of series: a key takes a free slot only once it is
 * in the hash, and keeps it until the daemon evicts the key (its namespace
 * is gone), so max_series bounds the series exactly as without the cache,
 * and a key's count is its hash value plus its slots' counts.  Counts never
 * move between the two, so a scrape reading one after the other still sees
 * every counter rise monotonically.
 *
 * Eviction frees a slot from the CPU that owns it (COUNT_CACHE_SWEEPER, run
 * there with BPF_PROG_TEST_RUN): a user-space update of the per-CPU array
 * would overwrite all of that CPU's slots, and lose the events counted in
 * live slots meanwhile.  The sweeper writes only the slots of dead keys.
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
		/* A swept slot may hold one late event of its dead key. */
		sl->count = 0;
		sl->key[0] = k[0];
		asm volatile("" ::: "memory");
		sl->key[1] = k[1];
	}
	return true;
}

/*
 * Frees the slots of mask on this CPU.  key[0] goes first, so that an event
 * meanwhile misses the slot and counts in the hash; key[1] last, which
 * frees the slot for the next claim.
 */
static __always_inline void count_cache_clear(void *cache_map, __u64 mask)
{
	struct skbtrace_count_cache *c;
	__u32 zero = 0;

	if (!mask)
		return;
	c = bpf_map_lookup_elem(cache_map, &zero);
	if (!c)
		return;
	for (int i = 0; i < SKBTRACE_COUNT_CACHE_SLOTS; i++) {
		struct skbtrace_count_slot *sl = &c->slot[i];

		if (!(mask & (1ULL << i)))
			continue;
		sl->key[0] = 0;
		asm volatile("" ::: "memory");
		sl->count = 0;
		asm volatile("" ::: "memory");
		sl->key[1] = 0;
	}
}

/*
 * A program attached to nothing that frees, on the CPU it runs on, the
 * slots of two count caches that the daemon names (struct
 * skbtrace_cache_sweep): the daemon runs it on each CPU whose caches hold
 * keys of namespaces that are gone.
 */
#define COUNT_CACHE_SWEEPER(name, cache0, cache1)                                                  \
	SEC("raw_tp")                                                                              \
	int name(struct skbtrace_cache_sweep *a)                                                   \
	{                                                                                          \
		count_cache_clear(&cache0, a->slots[0]);                                           \
		count_cache_clear(&cache1, a->slots[1]);                                           \
		return 0;                                                                          \
	}

#endif /* SKBTRACE_COUNT_CACHE_BPF_H */
