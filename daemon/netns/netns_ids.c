// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "netns_ids.h"
#include "netns_walk.h"
#include "netns_walk.skel.h"
#include "u64map.h"
#include "walker.h"

/* bpf_loop()'s own limit: the walk ends at its start long before. */
#define MAX_STEPS (1U << 23)
#define DEAD ((void *)1)

struct netns_ids {
	struct netns_walk_bpf *skel;
	int prog_fd;
	bool by_cookie;
	struct u64map live; /* id → inode, of the ids asked about */
	struct u64map dead; /* id → DEAD */
};

static int walk(struct netns_ids *t)
{
	return walker_run(t->prog_fd, NULL, 0, -1);
}

int netns_ids_open(struct netns_ids **out, char *err, size_t errlen)
{
	struct netns_ids *t = calloc(1, sizeof(*t));
	struct bpf_program *prog;
	int ret;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->skel = netns_walk_bpf__open();
	if (!t->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the namespace walker: %s", strerror(-ret));
		goto cleanup;
	}
	/* The walker reports whether the kernel has creation-time cookies. */
	t->skel->rodata->netns_by_cookie = true;
	t->skel->rodata->max_steps = MAX_STEPS;
	prog = walker_choose(t->skel->progs.netns_walk_loop, t->skel->progs.netns_walk_bounded);
	ret = netns_walk_bpf__load(t->skel);
	if (ret) {
		snprintf(err, errlen, "cannot load the namespace walker: %s", strerror(-ret));
		goto cleanup;
	}
	t->prog_fd = bpf_program__fd(prog);
	/* The first run must be in the daemon's own context: it learns where walks start. */
	ret = walk(t);
	if (!ret && !t->skel->bss->query.found)
		ret = -EIO;
	if (ret) {
		snprintf(err, errlen, "cannot run the namespace walker: %s", strerror(-ret));
		goto cleanup;
	}
	t->by_cookie = t->skel->bss->query.by_cookie;
	log_info("netns: namespace walker loaded (%s, %u namespaces); series keyed by %s",
		 walker_loop_name(), t->skel->bss->query.found,
		 t->by_cookie ? "net cookie" : "inode (no net cookie before 5.12)");
	*out = t;
	return 0;

cleanup:
	netns_ids_free(t);
	return ret;
}

void netns_ids_free(struct netns_ids *t)
{
	if (!t)
		return;
	netns_walk_bpf__destroy(t->skel);
	u64map_clear(&t->live, NULL);
	u64map_clear(&t->dead, NULL);
	free(t);
}

bool netns_ids_by_cookie(const struct netns_ids *t)
{
	return t && t->by_cookie;
}

/* Places id in the query table; false when its probes are taken. */
static bool place(struct netns_query *q, uint32_t id)
{
	uint32_t h = netns_query_hash(id);

	for (uint32_t k = 0; k < NETNS_QUERY_PROBES; k++) {
		struct netns_query_entry *e = &q->v[(h + k) & (NETNS_QUERY_SLOTS - 1)];

		if (!e->id) {
			e->id = id;
			return true;
		}
	}
	return false;
}

/*
 * One walk for up to NETNS_QUERY_MAX of ids[0..n-1] (unique, not 0); the
 * ones it could not ask about are moved to the front, and their number is
 * returned through *left.
 */
static int ask(struct netns_ids *t, uint32_t *ids, size_t n, size_t *left, bool *complete)
{
	struct netns_query *q = &t->skel->bss->query;
	size_t asked = 0, rest = 0;
	int err;

	memset(q->v, 0, sizeof(q->v));
	for (size_t i = 0; i < n; i++) {
		if (asked < NETNS_QUERY_MAX && place(q, ids[i]))
			asked++;
		else
			ids[rest++] = ids[i];
	}
	*left = rest;
	err = walk(t);
	if (err)
		return err;
	*complete = q->complete;
	for (size_t i = 0; !err && i < NETNS_QUERY_SLOTS; i++) {
		const struct netns_query_entry *e = &q->v[i];

		if (!e->id)
			continue;
		if (e->inum)
			err = u64map_put(&t->live, e->id, (void *)(uintptr_t)e->inum);
		else if (q->complete)
			err = u64map_put(&t->dead, e->id, DEAD);
	}
	return err;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int netns_ids_refresh(struct netns_ids *t, const uint32_t *ids, size_t n)
{
	uint32_t *v = malloc((n ? n : 1) * sizeof(*v));
	bool complete = true, all = true;
	size_t m = 0;
	int err = 0;

	if (!v)
		return -ENOMEM;
	u64map_clear(&t->live, NULL);
	u64map_clear(&t->dead, NULL);
	memcpy(v, ids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++) {
		if (v[i] && (!m || v[m - 1] != v[i]))
			v[m++] = v[i];
	}
	while (!err && m) {
		err = ask(t, v, m, &m, &complete);
		all = all && complete;
	}
	free(v);
	if (!err && !all)
		log_warn("netns: the walk did not see every namespace (more than %u before "
			 "5.17?): series of namespaces that are gone stay until it does",
			 NETNS_WALK_BOUNDED);
	return err;
}

bool netns_ids_dead(const struct netns_ids *t, uint32_t id)
{
	return t && u64map_get(&t->dead, id);
}

int netns_ids_label(struct netns_ids *t, uint32_t id, char *buf, size_t len)
{
	uintptr_t inum;
	size_t left;
	bool complete;

	if (!id) {
		snprintf(buf, len, "unknown");
		return 0;
	}
	if (!netns_ids_by_cookie(t)) {
		snprintf(buf, len, "%u", id);
		return 0;
	}
	if (u64map_get(&t->dead, id))
		return -ENOENT;
	inum = (uintptr_t)u64map_get(&t->live, id);
	/* A namespace born since the last refresh. */
	if (!inum && !ask(t, &id, 1, &left, &complete)) {
		inum = (uintptr_t)u64map_get(&t->live, id);
		if (!inum && complete)
			return -ENOENT;
	}
	if (inum)
		snprintf(buf, len, "%u", (uint32_t)inum);
	else
		snprintf(buf, len, "unknown");
	return 0;
}
