/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a BPF count cache (bpf/lib/count_cache.bpf.h) at scrape time. */
#ifndef SKBTRACE_COUNT_CACHE_H
#define SKBTRACE_COUNT_CACHE_H

#include <stddef.h>
#include "rows.h"

/*
 * Adds every CPU's cached counts to rows read from the cache's hash.  Each
 * row starts with its 16-byte key and holds a uint64_t count at count_off.
 * A key found only in the cache (claimed after the hash was read) gets a
 * row of its own.  Reorders rows.  Returns 0 or a negative errno.
 */
int count_cache_merge(int cache_fd, struct rows *rows, size_t count_off);

#endif /* SKBTRACE_COUNT_CACHE_H */
