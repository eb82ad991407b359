// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "netns.h"
#include "u64map.h"

struct scan {
	struct netns_list *out;
	struct u64map seen;
	size_t cap;
};

static int add(struct scan *s, const char *path)
{
	struct netns_list *l = s->out;
	struct stat st;

	/* stat() follows the ns link to the nsfs inode: the namespace's identity. */
	if (stat(path, &st) || u64map_get(&s->seen, st.st_ino))
		return 0;
	if (u64map_put(&s->seen, st.st_ino, (void *)1))
		return -ENOMEM;
	if (l->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct netns_ref *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		s->cap = cap;
	}
	l->v[l->n].inum = st.st_ino;
	snprintf(l->v[l->n].path, sizeof(l->v[l->n].path), "%s", path);
	l->n++;
	return 0;
}

static int add_dir(struct scan *s, const char *dir, const char *suffix, bool numeric)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[64];
	int err = 0;

	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.' || (numeric && !isdigit((unsigned char)de->d_name[0])))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, suffix) <
		    (int)sizeof(path))
			err = add(s, path);
	}
	closedir(d);
	return err;
}

static int cmp_inum(const void *a, const void *b)
{
	const struct netns_ref *x = a, *y = b;

	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

int netns_list_scan(struct netns_list *out, size_t max)
{
	struct scan s = { .out = out };
	int err;

	memset(out, 0, sizeof(*out));
	err = add(&s, "/proc/thread-self/ns/net");
	err = err ?: add_dir(&s, "/run/netns", "", false);
	err = err ?: add_dir(&s, "/proc", "/ns/net", true);
	u64map_clear(&s.seen, NULL);
	if (err) {
		netns_list_free(out);
		return err;
	}
	if (out->n > 1)
		qsort(out->v + 1, out->n - 1, sizeof(*out->v), cmp_inum);
	out->found = out->n;
	if (out->n > max)
		out->n = max;
	return 0;
}

void netns_list_free(struct netns_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int netns_run_in(const char *path, int (*fn)(void *ctx), void *ctx)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int target = open(path, O_RDONLY | O_CLOEXEC);
	struct stat self_st, target_st;
	int ret;

	if (self < 0 || target < 0 || fstat(self, &self_st) || fstat(target, &target_st)) {
		ret = -errno;
		goto out;
	}
	/* Our own namespace needs no setns(), so no CAP_SYS_ADMIN either. */
	if (self_st.st_ino == target_st.st_ino) {
		ret = fn(ctx);
		goto out;
	}
	if (setns(target, CLONE_NEWNET)) {
		ret = -errno;
		goto out;
	}
	ret = fn(ctx);
	/* Staying in a container's namespace would change what every later scrape sees. */
	if (setns(self, CLONE_NEWNET))
		log_err("cannot return to the daemon's network namespace: %s", strerror(errno));
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return ret;
}
