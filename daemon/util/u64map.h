/* SPDX-License-Identifier: GPL-2.0 */
/* A small open-addressing hash map from 64-bit keys to pointers. */
#ifndef SKBTRACE_U64MAP_H
#define SKBTRACE_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map_slot {
	uint64_t key;
	void *value; /* NULL marks an empty slot, so values must not be NULL */
};

struct u64map {
	struct u64map_slot *slots;
	size_t cap; /* power of two */
	size_t used;
};

void *u64map_get(const struct u64map *m, uint64_t key);
/* Inserts or replaces; returns -ENOMEM on failure. */
int u64map_put(struct u64map *m, uint64_t key, void *value);
/* Removes key; returns its value, or NULL if absent.  Moves other slots: not while iterating. */
void *u64map_del(struct u64map *m, uint64_t key);
/* Calls free_value (if non-NULL) on every value, then releases the map. */
void u64map_clear(struct u64map *m, void (*free_value)(void *));

#define u64map_for_each(m, slot)                                                                   \
	for (struct u64map_slot *slot = (m)->slots; slot && slot < (m)->slots + (m)->cap; slot++)  \
		if (slot->value)

#endif /* SKBTRACE_U64MAP_H */
