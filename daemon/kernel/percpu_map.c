// SPDX-License-Identifier: GPL-2.0
/*
 * Reading per-CPU counter maps at scrape time.  Batch lookups cost one
 * syscall per thousand keys instead of two per key, which is what keeps a
 * 10k-series scrape within a few milliseconds.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "percpu_map.h"

#define BATCH_KEYS 1024

static uint64_t sum_cpus(const uint64_t *v, int ncpus)
{
	uint64_t s = 0;

	for (int i = 0; i < ncpus; i++)
		s += v[i];
	return s;
}

static int sum_each_by_key(int fd, size_t key_size, int ncpus, percpu_sum_fn fn, void *ctx,
			   uint64_t *n)
{
	uint64_t *vals = calloc(ncpus, sizeof(*vals));
	char *key = calloc(2, key_size), *next = key + key_size;
	int err = 0;
	bool first = true;

	if (!vals || !key) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, key_size);
		/* A key deleted between the two calls is simply skipped. */
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;
		(*n)++;
		err = fn(key, sum_cpus(vals, ncpus), ctx);
		if (err)
			break;
	}
cleanup:
	free(vals);
	free(key);
	return err;
}

static int sum_each_batched(int fd, size_t key_size, int ncpus, percpu_sum_fn fn, void *ctx,
			    uint64_t *n)
{
	size_t token_size = key_size > 8 ? key_size : 8;
	char *keys = malloc(key_size * BATCH_KEYS);
	uint64_t *vals = malloc(sizeof(uint64_t) * ncpus * BATCH_KEYS);
	char *in = calloc(2, token_size), *out = in ? in + token_size : NULL;
	bool first = true, done = false;
	int err = 0;

	if (!keys || !vals || !in) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (!done) {
		__u32 count = BATCH_KEYS;

		err = bpf_map_lookup_batch(fd, first ? NULL : in, out, keys, vals, &count, NULL);
		if (err) {
			err = -errno;
			if (err != -ENOENT)
				goto cleanup;
			done = true;
			err = 0;
		}
		for (__u32 i = 0; i < count && !err; i++) {
			(*n)++;
			err = fn(keys + i * key_size, sum_cpus(vals + (size_t)i * ncpus, ncpus),
				 ctx);
		}
		if (err)
			goto cleanup;
		memcpy(in, out, token_size);
		first = false;
	}
cleanup:
	free(keys);
	free(vals);
	free(in);
	return err;
}

int percpu_map_sum_each(int map_fd, size_t key_size, percpu_sum_fn fn, void *ctx,
			uint64_t *n_entries)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t n = 0;
	int err;

	if (ncpus <= 0)
		return -EINVAL;
	err = sum_each_batched(map_fd, key_size, ncpus, fn, ctx, &n);
	/* Kernels before 5.6 have no batch ops; a bucket larger than a batch gives ENOSPC. */
	if (err && n == 0 && err != -ENOMEM)
		err = sum_each_by_key(map_fd, key_size, ncpus, fn, ctx, &n);
	if (n_entries)
		*n_entries = n;
	return err;
}
