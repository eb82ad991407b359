/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a BPF count cache (bpf/lib/count_cache.bpf.h) at scrape time. */
#ifndef SKBTRACE_COUNT_CACHE_H
#define SKBTRACE_COUNT_CACHE_H

#include "percpu_map.h"

/*
 * Calls fn(key, count) for every counted slot of every CPU, so the same key
 * may come more than once, and also from the cache's hash: a key's count is
 * the sum of all of them.  Returns 0, fn's error or a negative errno.
 */
int count_cache_each(int cache_fd, percpu_sum_fn fn, void *ctx);

#endif /* SKBTRACE_COUNT_CACHE_H */
