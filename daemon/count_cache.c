// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "count_cache.h"
#include "skbtrace.h"

#define KEY_SIZE sizeof(((struct skbtrace_count_slot *)0)->key)

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, KEY_SIZE);
}

/* The row of key among rows[0..sorted) (sorted) or rows[sorted..n), or NULL. */
static void *find_row(struct rows *rows, size_t sorted, const void *key)
{
	void *row = bsearch(key, rows->v, sorted, rows->size, cmp_key);

	for (size_t i = sorted; !row && i < rows->n; i++) {
		void *r = (char *)rows->v + i * rows->size;

		if (!cmp_key(r, key))
			row = r;
	}
	return row;
}

int count_cache_merge(int cache_fd, struct rows *rows, size_t count_off)
{
	int ncpus = libbpf_num_possible_cpus();
	struct skbtrace_count_cache *caches;
	size_t sorted = rows->n;
	uint32_t zero = 0;
	int err = 0;

	if (ncpus <= 0)
		return -EINVAL;
	caches = calloc(ncpus, sizeof(*caches));
	if (!caches)
		return -ENOMEM;
	if (bpf_map_lookup_elem(cache_fd, &zero, caches)) {
		err = -errno;
		goto cleanup;
	}
	qsort(rows->v, sorted, rows->size, cmp_key);
	for (int cpu = 0; cpu < ncpus; cpu++) {
		for (int i = 0; i < SKBTRACE_COUNT_CACHE_SLOTS; i++) {
			const struct skbtrace_count_slot *sl = &caches[cpu].slot[i];
			void *row;

			/* count is read first: a counted slot's key is whole. */
			if (!sl->count || !sl->key[1])
				continue;
			row = find_row(rows, sorted, sl->key);
			if (!row) {
				row = rows_push(rows);
				if (!row) {
					err = -ENOMEM;
					goto cleanup;
				}
				memcpy(row, sl->key, KEY_SIZE);
			}
			*(uint64_t *)((char *)row + count_off) += sl->count;
		}
	}
cleanup:
	free(caches);
	return err;
}
