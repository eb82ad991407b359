/* SPDX-License-Identifier: GPL-2.0 */
/* Reading per-CPU counter maps: each key's sum over the CPUs. */
#ifndef SKBTRACE_PERCPU_MAP_H
#define SKBTRACE_PERCPU_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef int (*percpu_sum_fn)(const void *key, uint64_t sum, void *ctx);

/*
 * Calls fn with every key of a per-CPU map of __u64 and its sum; *n_entries
 * (may be NULL) gets the number of keys.  Returns 0, fn's error or a
 * negative errno.
 */
int percpu_map_sum_each(int map_fd, size_t key_size, percpu_sum_fn fn, void *ctx,
			uint64_t *n_entries);

#endif /* SKBTRACE_PERCPU_MAP_H */
