// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "u64map.h"

static size_t slot_index(uint64_t key, size_t cap)
{
	/* Fibonacci hashing: kernel addresses and small ids alike spread well. */
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static struct u64map_slot *find_slot(const struct u64map *m, uint64_t key)
{
	size_t i = slot_index(key, m->cap);

	while (m->slots[i].value && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

void *u64map_get(const struct u64map *m, uint64_t key)
{
	return m->cap ? find_slot(m, key)->value : NULL;
}

static int grow(struct u64map *m)
{
	struct u64map old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].value)
			*find_slot(m, old.slots[i].key) = old.slots[i];
	}
	free(old.slots);
	return 0;
}

int u64map_put(struct u64map *m, uint64_t key, void *value)
{
	struct u64map_slot *s;

	if ((m->used + 1) * 4 > m->cap * 3 && grow(m))
		return -ENOMEM;
	s = find_slot(m, key);
	if (!s->value)
		m->used++;
	s->key = key;
	s->value = value;
	return 0;
}

void *u64map_del(struct u64map *m, uint64_t key)
{
	struct u64map_slot *s;
	size_t hole, i;
	void *value;

	if (!m->cap)
		return NULL;
	s = find_slot(m, key);
	value = s->value;
	if (!value)
		return NULL;
	/*
	 * Linear probing without tombstones: each later slot of the run moves
	 * into the hole unless its home lies cyclically in (hole, slot], where
	 * a lookup would stop at the hole before reaching it.
	 */
	hole = (size_t)(s - m->slots);
	for (i = (hole + 1) & (m->cap - 1); m->slots[i].value; i = (i + 1) & (m->cap - 1)) {
		size_t home = slot_index(m->slots[i].key, m->cap);

		if (((i - home) & (m->cap - 1)) < ((i - hole) & (m->cap - 1)))
			continue;
		m->slots[hole] = m->slots[i];
		hole = i;
	}
	m->slots[hole].value = NULL;
	m->slots[hole].key = 0;
	m->used--;
	return value;
}

void u64map_clear(struct u64map *m, void (*free_value)(void *))
{
	if (free_value) {
		u64map_for_each(m, s) free_value(s->value);
	}
	free(m->slots);
	m->slots = NULL;
	m->cap = m->used = 0;
}
