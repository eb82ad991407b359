// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cgroup_kind.h"
#include "cgroup_paths.h"
#include "expo.h"
#include "log.h"
#include "netns_info.h"
#include "netns_tasks.h"
#include "netns_tasks.skel.h"
#include "self_metrics.h"

#define UNFOUND ((void *)1)
/*
 * Seconds before namespaces named "unknown" are looked up again: a runtime
 * may move its process into the container's cgroup after the namespace's
 * first drops.
 */
#define UNKNOWN_RETRY_SEC 60

struct netns_info {
	struct netns_tasks_bpf *skel; /* NULL: no task iterator */
	struct bpf_link *link;
	struct u64map seen;  /* id → inum, of this scrape */
	struct u64map named; /* id → struct netns_identity *, of the last lookup */
	bool warned_full;
	bool any_unknown;   /* some namespace of the last lookup is "unknown" */
	time_t last_lookup; /* CLOCK_MONOTONIC seconds */
};

static time_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int netns_info_open(struct netns_info **out, bool by_cookie)
{
	struct netns_info *ni = calloc(1, sizeof(*ni));
	int err;

	*out = ni;
	if (!ni)
		return -ENOMEM;
	ni->skel = netns_tasks_bpf__open();
	if (!ni->skel) {
		err = -errno;
		goto degrade;
	}
	ni->skel->rodata->netns_by_cookie = by_cookie;
	err = netns_tasks_bpf__load(ni->skel);
	if (!err) {
		ni->link = bpf_program__attach_iter(ni->skel->progs.netns_tasks_iter, NULL);
		err = ni->link ? 0 : -errno;
	}
	if (err)
		goto degrade;
	log_info("netns: task iterator loaded; namespaces named by the cgroups of their tasks");
	return 0;

degrade:
	log_warn("netns: no task iterator (%s): skbtrace_netns_info names namespaces host, netns "
		 "(ip netns) or unknown only",
		 strerror(-err));
	netns_tasks_bpf__destroy(ni->skel);
	ni->skel = NULL;
	return 0;
}

void netns_info_free(struct netns_info *ni)
{
	if (!ni)
		return;
	bpf_link__destroy(ni->link);
	netns_tasks_bpf__destroy(ni->skel);
	u64map_clear(&ni->seen, NULL);
	u64map_clear(&ni->named, free);
	free(ni);
}

void netns_info_begin(struct netns_info *ni)
{
	if (ni)
		u64map_clear(&ni->seen, NULL);
}

void netns_info_note(struct netns_info *ni, uint32_t id, uint32_t inum)
{
	if (ni && id && inum)
		u64map_put(&ni->seen, id, (void *)(uintptr_t)inum);
}

/* Runs the iterator: id → a copy of its struct netns_task; the map is left empty. */
static int read_tasks(struct netns_info *ni, struct u64map *tasks, uint32_t *host_id)
{
	int map_fd = bpf_map__fd(ni->skel->maps.netns_tasks);
	char buf[64];
	uint32_t key, next;
	bool first = true;
	int fd, err = 0;
	ssize_t n;

	ni->skel->bss->host_id = 0;
	fd = bpf_iter_create(bpf_link__fd(ni->link));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		err = -errno;
	close(fd);
	*host_id = ni->skel->bss->host_id;
	while (!bpf_map_get_next_key(map_fd, first ? NULL : &key, &next)) {
		struct netns_task *t = malloc(sizeof(*t));

		first = false;
		key = next;
		if (!t || bpf_map_lookup_elem(map_fd, &key, t) || u64map_put(tasks, key, t)) {
			free(t);
			continue;
		}
	}
	u64map_for_each(tasks, s)
	{
		key = (uint32_t)s->key;
		bpf_map_delete_elem(map_fd, &key);
	}
	return err;
}

/* `ip netns` names: inode of /run/netns/NAME → NAME. */
static void read_ip_netns(struct u64map *names)
{
	DIR *dir = opendir("/run/netns");
	struct dirent *de;
	struct stat st;

	while (dir && (de = readdir(dir))) {
		char *name;

		if (de->d_name[0] == '.' || fstatat(dirfd(dir), de->d_name, &st, 0) ||
		    u64map_get(names, st.st_ino))
			continue;
		name = strdup(de->d_name);
		if (name && u64map_put(names, st.st_ino, name))
			free(name);
	}
	if (dir)
		closedir(dir);
}

/* Without the iterator: init's namespace, when the daemon may look (root). */
static uint32_t host_inum_fallback(void)
{
	struct stat st;

	return stat("/proc/1/ns/net", &st) ? 0 : (uint32_t)st.st_ino;
}

static void set(struct netns_identity *id, const char *kind, const char *name)
{
	memset(id, 0, sizeof(*id));
	snprintf(id->kind, sizeof(id->kind), "%s", kind);
	snprintf(id->name, sizeof(id->name), "%s", name);
}

static void name_one(struct netns_identity *id, uint32_t nsid, uint32_t inum, uint32_t host_id,
		     uint32_t host_inum, struct u64map *tasks, struct u64map *ipnames,
		     struct u64map *paths)
{
	const struct netns_task *t = u64map_get(tasks, nsid);
	const char *ipname = u64map_get(ipnames, inum);
	const char *path = t && t->cgroup_id ? u64map_get(paths, t->cgroup_id) : NULL;

	if ((host_id && nsid == host_id) || (!host_id && host_inum && inum == host_inum))
		set(id, "host", "host");
	else if (ipname)
		set(id, "netns", ipname);
	else if (!path || path == UNFOUND || cgroup_kind_classify(path, id))
		set(id, "unknown", "");
}

/* Names every namespace of the scrape anew; the names of the others go. */
static int lookup(struct netns_info *ni)
{
	struct u64map tasks = { 0 }, ipnames = { 0 }, paths = { 0 }, named = { 0 };
	uint32_t host_id = 0, host_inum = 0;
	bool any_unknown = false;
	int err = 0;

	if (ni->skel)
		err = read_tasks(ni, &tasks, &host_id);
	if (err)
		log_warn("netns: cannot run the task iterator: %s", strerror(-err));
	log_debug("netns: naming %zu namespaces: %zu with a task, host id %u", ni->seen.used,
		  tasks.used, host_id);
	if (!host_id)
		host_inum = host_inum_fallback();
	read_ip_netns(&ipnames);
	u64map_for_each(&ni->seen, s)
	{
		const struct netns_task *t = u64map_get(&tasks, s->key);

		if (!err && t && t->cgroup_id && !u64map_get(&paths, t->cgroup_id))
			err = u64map_put(&paths, t->cgroup_id, UNFOUND);
	}
	if (!err && paths.used) {
		int ret = cgroup_paths_find(&paths, UNFOUND);

		if (ret)
			log_debug("netns: cannot read the cgroup tree: %s", strerror(-ret));
	}
	u64map_for_each(&ni->seen, s)
	{
		struct netns_identity *id = err ? NULL : malloc(sizeof(*id));

		if (!id) {
			err = err ?: -ENOMEM;
			break;
		}
		name_one(id, s->key, (uintptr_t)s->value, host_id, host_inum, &tasks, &ipnames,
			 &paths);
		any_unknown = any_unknown || !strcmp(id->kind, "unknown");
		err = u64map_put(&named, s->key, id);
		if (err)
			free(id);
	}
	u64map_for_each(&paths, s)
	{
		if (s->value == UNFOUND)
			s->value = NULL;
	}
	u64map_clear(&tasks, free);
	u64map_clear(&ipnames, free);
	u64map_clear(&paths, free);
	u64map_clear(&ni->named, free);
	ni->named = named;
	ni->any_unknown = any_unknown;
	ni->last_lookup = now_sec();
	return err;
}

int netns_info_expo(struct netns_info *ni, struct expo *e, uint32_t max_series)
{
	struct u64map emitted = { 0 }; /* inums: one series per netns label value */
	struct expo_family *f;
	uint32_t n = 0;
	int err = 0;

	bool stale;

	if (!ni || !ni->seen.used)
		return 0;
	stale = ni->any_unknown && now_sec() - ni->last_lookup >= UNKNOWN_RETRY_SEC;
	u64map_for_each(&ni->seen, s) stale = stale || !u64map_get(&ni->named, s->key);
	if (stale)
		err = lookup(ni);
	if (err)
		return err;
	f = expo_self_family(e, SM_NETNS_INFO);
	if (!f)
		return -ENOMEM;
	u64map_for_each(&ni->seen, s)
	{
		const struct netns_identity *id = u64map_get(&ni->named, s->key);
		char inum[16];

		if (!id || u64map_get(&emitted, (uintptr_t)s->value))
			continue;
		if (n++ >= max_series) {
			if (!ni->warned_full)
				log_warn("netns: more namespaces than max_series (%u): "
					 "skbtrace_netns_info leaves some out",
					 max_series);
			ni->warned_full = true;
			break;
		}
		snprintf(inum, sizeof(inum), "%u", (uint32_t)(uintptr_t)s->value);
		if (expo_add_u64(f,
				 (struct expo_label[]){ { "netns", inum },
							{ "kind", id->kind },
							{ "name", id->name },
							{ "runtime", id->runtime },
							{ "pod_uid", id->pod_uid } },
				 5, 1) ||
		    u64map_put(&emitted, (uintptr_t)s->value, UNFOUND)) {
			err = -ENOMEM;
			break;
		}
	}
	u64map_clear(&emitted, NULL);
	return err;
}
