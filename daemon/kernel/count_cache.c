// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "count_cache.h"
#include "skbtrace.h"

int count_cache_each(int cache_fd, percpu_sum_fn fn, void *ctx)
{
	int ncpus = libbpf_num_possible_cpus();
	struct skbtrace_count_cache *caches;
	uint32_t zero = 0;
	int err = 0;

	if (ncpus <= 0)
		return -EINVAL;
	caches = calloc(ncpus, sizeof(*caches));
	if (!caches)
		return -ENOMEM;
	if (bpf_map_lookup_elem(cache_fd, &zero, caches))
		err = -errno;
	for (int cpu = 0; !err && cpu < ncpus; cpu++) {
		for (int i = 0; !err && i < SKBTRACE_COUNT_CACHE_SLOTS; i++) {
			const struct skbtrace_count_slot *sl = &caches[cpu].slot[i];

			/* count is read first: a counted slot's key is whole. */
			if (sl->count && sl->key[1])
				err = fn(sl->key, sl->count, ctx);
		}
	}
	free(caches);
	return err;
}
