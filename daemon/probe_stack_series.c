// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a probe's per-stack counter map.  BPF stack ids are not stable and
 * two BPF stacks may differ only in tracing frames that the stable id leaves
 * out, so series are merged by stable id before they are exported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "count_cache.h"
#include "probe.h"
#include "rows.h"
#include "stacks.h"

#define MAX_KEY_SIZE 32

struct stack_row {
	unsigned char key[MAX_KEY_SIZE]; /* stack_id zeroed: rows compare by labels */
	const char *stack;
	uint64_t count;
};

struct stack_collect {
	struct rows rows;
	struct stack_table *stacks;
	int stack_map_fd;
	size_t key_size, stack_id_off;
};

static int push_stack(const void *key, uint64_t sum, void *ctx)
{
	struct stack_collect *sc = ctx;
	struct stack_row *row;
	int32_t bpf_id;
	const char *id;

	memcpy(&bpf_id, (const char *)key + sc->stack_id_off, sizeof(bpf_id));
	id = stack_table_id(sc->stacks, sc->stack_map_fd, bpf_id);
	row = rows_push(&sc->rows);
	if (!row)
		return -ENOMEM;
	memset(row->key, 0, sizeof(row->key));
	memcpy(row->key, key, sc->key_size);
	memset(row->key + sc->stack_id_off, 0, sizeof(bpf_id));
	row->stack = id ? id : "unreadable";
	row->count = sum;
	return 0;
}

static int cmp_stack_row(const void *a, const void *b)
{
	const struct stack_row *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	return c ?: strcmp(x->stack, y->stack);
}

int probe_stack_series_each(const struct probe *p, struct stack_table *stacks, int map_fd,
			    int cache_fd, size_t key_size, size_t stack_id_off, stack_series_fn fn,
			    void *ctx, uint64_t *n_entries)
{
	struct stack_collect sc = { .rows = { .size = sizeof(struct stack_row) },
				    .stacks = stacks,
				    .stack_map_fd = p->stack_map_fd,
				    .key_size = key_size,
				    .stack_id_off = stack_id_off };
	struct stack_row *r;
	int err;

	if (key_size > MAX_KEY_SIZE || stack_id_off + sizeof(int32_t) > key_size)
		return -EINVAL;
	err = percpu_map_sum_each(map_fd, key_size, push_stack, &sc, n_entries);
	if (!err && cache_fd >= 0)
		err = count_cache_each(cache_fd, push_stack, &sc);
	r = sc.rows.v;
	if (sc.rows.n)
		qsort(r, sc.rows.n, sizeof(*r), cmp_stack_row);
	for (size_t i = 0; !err && i < sc.rows.n; i++) {
		uint64_t count = r[i].count;

		while (i + 1 < sc.rows.n && !cmp_stack_row(&r[i], &r[i + 1]))
			count += r[++i].count;
		err = fn(r[i].key, r[i].stack, count, ctx);
	}
	free(sc.rows.v);
	return err;
}
