// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "netns_evict.h"
#include "rows.h"
#include "netns_ids.h"
#include "skbtrace.h"

#define BATCH_KEYS 1024

_Static_assert(SKBTRACE_COUNT_CACHE_SLOTS <= 64, "one sweeper mask bit per cache slot");

/* Every key of a hash map, read in batches (one key at a time before 5.6). */
struct key_list {
	char *keys;
	size_t n, key_size;
};

static int read_keys_one_by_one(int fd, struct key_list *l, size_t cap)
{
	char *prev = NULL;

	l->n = 0;
	while (l->n < cap && !bpf_map_get_next_key(fd, prev, l->keys + l->n * l->key_size)) {
		prev = l->keys + l->n * l->key_size;
		l->n++;
	}
	return 0;
}

static int read_keys(int fd, struct key_list *l)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), token[2] = {}, next[2] = {};
	int ncpus = libbpf_num_possible_cpus();
	size_t vsize, cap;
	bool percpu;
	char *vals;
	int err = 0;

	memset(l, 0, sizeof(*l));
	if (ncpus <= 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return ncpus <= 0 ? -EINVAL : -errno;
	percpu = info.type == BPF_MAP_TYPE_PERCPU_HASH || info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	vsize = percpu ? ((info.value_size + 7) & ~7U) * (size_t)ncpus : info.value_size;
	cap = info.max_entries;
	l->key_size = info.key_size;
	l->keys = malloc(cap * l->key_size + 1);
	vals = malloc(BATCH_KEYS * vsize);
	if (!l->keys || !vals) {
		free(vals);
		return -ENOMEM;
	}
	for (bool first = true; l->n < cap; first = false) {
		__u32 count = cap - l->n < BATCH_KEYS ? cap - l->n : BATCH_KEYS;

		err = bpf_map_lookup_batch(fd, first ? NULL : token, next,
					   l->keys + l->n * l->key_size, vals, &count, NULL);
		l->n += count;
		if (err) {
			err = -errno;
			break;
		}
		memcpy(token, next, sizeof(token));
	}
	free(vals);
	if (err == -ENOENT)
		err = 0;
	/* Kernels before 5.6 have no batch ops; a bucket larger than a batch gives ENOSPC. */
	if (err)
		err = read_keys_one_by_one(fd, l, cap);
	return err;
}

static uint32_t key_netns(const void *key, uint32_t off)
{
	uint32_t id;

	memcpy(&id, (const char *)key + off, sizeof(id));
	return id;
}

static int64_t evict_map(const struct probe_netns_map *m, netns_dead_fn dead, void *ctx)
{
	struct key_list l;
	int64_t deleted = 0;
	int err = read_keys(m->fd, &l);

	for (size_t i = 0; !err && i < l.n; i++) {
		const char *key = l.keys + i * l.key_size;
		uint32_t id = key_netns(key, m->netns_off);

		if (!id || !dead(ctx, id))
			continue;
		if (!bpf_map_delete_elem(m->fd, key))
			deleted++;
		else if (errno != ENOENT)
			err = -errno;
	}
	free(l.keys);
	return err ? err : deleted;
}

static int run_sweeper(int prog_fd, int cpu, struct skbtrace_cache_sweep *masks)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = masks, .ctx_size_in = sizeof(*masks),
		    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

	return bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
}

/*
 * Frees, on each CPU, the cache slots holding keys of dead namespaces.  A
 * slot changes hands only when free, so one read of the caches says which
 * to free.  An offline CPU runs nothing: its slots wait for the next sweep,
 * and the labels leave them out meanwhile.
 */
static int evict_caches(struct probe *p, netns_dead_fn dead, void *ctx)
{
	int ncpus = libbpf_num_possible_cpus();
	struct skbtrace_count_cache *c[SKBTRACE_SWEEP_CACHES] = {};
	uint32_t zero = 0;
	int err = 0;

	if (p->cache_sweep_fd < 0 || !p->n_netns_caches)
		return 0;
	if (ncpus <= 0)
		return -EINVAL;
	for (int i = 0; !err && i < p->n_netns_caches; i++) {
		c[i] = calloc(ncpus, sizeof(*c[i]));
		if (!c[i])
			err = -ENOMEM;
		else if (bpf_map_lookup_elem(p->netns_caches[i].fd, &zero, c[i]))
			err = -errno;
	}
	for (int cpu = 0; !err && cpu < ncpus; cpu++) {
		struct skbtrace_cache_sweep masks = {};
		bool any = false;

		for (int i = 0; i < p->n_netns_caches; i++) {
			for (int s = 0; s < SKBTRACE_COUNT_CACHE_SLOTS; s++) {
				const struct skbtrace_count_slot *sl = &c[i][cpu].slot[s];
				uint32_t id = key_netns(sl->key, p->netns_caches[i].netns_off);

				if (sl->key[1] && id && dead(ctx, id)) {
					masks.slots[i] |= 1ULL << s;
					any = true;
				}
			}
		}
		if (any && (err = run_sweeper(p->cache_sweep_fd, cpu, &masks)) == -ENXIO)
			err = 0;
	}
	for (int i = 0; i < SKBTRACE_SWEEP_CACHES; i++)
		free(c[i]);
	return err;
}

int64_t netns_evict_probe(struct probe *p, netns_dead_fn dead, void *ctx)
{
	int64_t total = 0, n;
	int err;

	for (int i = 0; i < p->n_netns_maps; i++) {
		n = evict_map(&p->netns_maps[i], dead, ctx);
		if (n < 0)
			return n;
		total += n;
	}
	/* After the hash: a slot's key is then no series at all, and labels skip it. */
	err = evict_caches(p, dead, ctx);
	return err ? err : total;
}

struct id_list {
	uint32_t *v;
	size_t n, cap;
};

static int id_push(struct id_list *l, uint32_t id)
{
	if (!id)
		return 0;
	if (GROW(&l->v, &l->cap, l->n + 1, 1024))
		return -ENOMEM;
	l->v[l->n++] = id;
	return 0;
}

static int collect_ids(const struct probe *p, struct id_list *ids)
{
	int ncpus = libbpf_num_possible_cpus();
	uint32_t zero = 0;
	int err = 0;

	for (int i = 0; !err && i < p->n_netns_maps; i++) {
		struct key_list l;

		err = read_keys(p->netns_maps[i].fd, &l);
		for (size_t k = 0; !err && k < l.n; k++)
			err = id_push(ids, key_netns(l.keys + k * l.key_size,
						     p->netns_maps[i].netns_off));
		free(l.keys);
	}
	for (int i = 0; !err && i < p->n_netns_caches && p->cache_sweep_fd >= 0; i++) {
		struct skbtrace_count_cache *c = calloc(ncpus > 0 ? ncpus : 1, sizeof(*c));

		if (!c || bpf_map_lookup_elem(p->netns_caches[i].fd, &zero, c))
			err = c ? -errno : -ENOMEM;
		for (int cpu = 0; !err && cpu < ncpus; cpu++) {
			for (int s = 0; !err && s < SKBTRACE_COUNT_CACHE_SLOTS; s++) {
				const struct skbtrace_count_slot *sl = &c[cpu].slot[s];

				if (sl->key[1])
					err = id_push(ids, key_netns(sl->key,
								     p->netns_caches[i].netns_off));
			}
		}
		free(c);
	}
	return err;
}

static bool ids_dead(void *ctx, uint32_t id)
{
	return netns_ids_dead(ctx, id);
}

int netns_sweep(struct probe *probes, int n, struct netns_ids *ids)
{
	struct id_list l = {};
	int err = 0;

	if (!ids)
		return 0;
	for (int i = 0; !err && i < n; i++) {
		if (probes[i].attached)
			err = collect_ids(&probes[i], &l);
	}
	err = err ?: netns_ids_refresh(ids, l.v, l.n);
	free(l.v);
	for (int i = 0; !err && i < n; i++) {
		int64_t evicted;

		if (!probes[i].attached)
			continue;
		evicted = netns_evict_probe(&probes[i], ids_dead, ids);
		if (evicted < 0)
			err = (int)evicted;
		else
			probes[i].netns_evicted += evicted;
	}
	if (err)
		log_warn("netns: sweep failed: %s", strerror(-err));
	return err;
}
