// SPDX-License-Identifier: GPL-2.0
/* The open-addressing map: deletion keeps every other key findable. */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "u64map.h"

#define KEYS 512

/* Random puts and deletes against a plain array of what should be there. */
static void test_against_array(void)
{
	static uintptr_t want[KEYS]; /* 0: absent; else the value */
	struct u64map m = {};
	unsigned int seed = 1;
	size_t n = 0, bad = 0;

	for (int op = 0; op < 200000; op++) {
		/* Keys that share home slots: multiples of a power of two. */
		uint64_t k = (uint64_t)(rand_r(&seed) % KEYS) << 12;
		size_t i = k >> 12;

		if (rand_r(&seed) % 3) {
			uintptr_t v = (uintptr_t)op + 1;

			if (u64map_put(&m, k, (void *)v)) {
				bad++;
				break;
			}
			n += !want[i];
			want[i] = v;
		} else {
			void *got = u64map_del(&m, k);

			bad += (uintptr_t)got != want[i];
			n -= !!want[i];
			want[i] = 0;
		}
		if (op % 997)
			continue;
		for (size_t j = 0; j < KEYS; j++)
			bad += (uintptr_t)u64map_get(&m, (uint64_t)j << 12) != want[j];
	}
	CHECK(bad == 0);
	CHECK(m.used == n);
	for (size_t j = 0; j < KEYS; j++)
		bad += (uintptr_t)u64map_get(&m, (uint64_t)j << 12) != want[j];
	CHECK(bad == 0);
	CHECK(u64map_del(&m, 12345) == NULL);
	u64map_clear(&m, NULL);
	CHECK(u64map_del(&m, 1) == NULL);
}

/* The map's home slot of a key, for a 64-slot map (u64map.c's Fibonacci hashing). */
static size_t home64(uint64_t k)
{
	return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 32) & 63;
}

/*
 * A run that wraps around the end of the slots: three keys at home in the
 * last slot fill it and the first two, a fourth at home in the first slot
 * comes after them.  Deleting the first moves each of the others back.
 */
static void test_wrap(void)
{
	struct u64map m = {};
	uint64_t last[3], first = 0;
	size_t n = 0;

	for (uint64_t k = 1; n < 3 || !first; k++) {
		if (home64(k) == 63 && n < 3)
			last[n++] = k;
		else if (home64(k) == 0 && !first)
			first = k;
	}
	for (size_t i = 0; i < 3; i++)
		CHECK(!u64map_put(&m, last[i], (void *)(uintptr_t)last[i]));
	CHECK(!u64map_put(&m, first, (void *)(uintptr_t)first));
	CHECK(m.cap == 64);
	CHECK(m.slots[63].key == last[0] && m.slots[0].key == last[1] && m.slots[2].key == first);
	CHECK(u64map_del(&m, last[0]) == (void *)(uintptr_t)last[0]);
	CHECK(m.slots[63].key == last[1] && m.slots[0].key == last[2] && m.slots[1].key == first);
	CHECK(m.slots[2].value == NULL);
	for (size_t i = 1; i < 3; i++)
		CHECK(u64map_get(&m, last[i]) == (void *)(uintptr_t)last[i]);
	CHECK(u64map_get(&m, first) == (void *)(uintptr_t)first);
	CHECK(u64map_get(&m, last[0]) == NULL);
	CHECK(m.used == 3);
	u64map_clear(&m, NULL);
}

int main(void)
{
	test_against_array();
	test_wrap();
	return check_summary("test_u64map");
}
