// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "cgroup_paths.h"

struct walk {
	struct u64map *want;
	const void *unfound;
	size_t left; /* ids not found yet */
	size_t dirs;
	size_t root_len;
	char path[PATH_MAX];
};

static int visit(struct walk *w, size_t len, int depth)
{
	DIR *dir = opendir(w->path);
	struct dirent *de;
	int err = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno; /* removed meanwhile */
	while (!err && w->left && w->dirs < CGROUP_PATHS_MAX_DIRS && (de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		void *v;

		/* cgroupfs reports directories as such: no stat, and never a symlink. */
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + 1 + n >= sizeof(w->path))
			continue;
		w->dirs++;
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, n + 1);
		v = u64map_get(w->want, de->d_ino);
		if (v == w->unfound) {
			char *p = strdup(w->path + w->root_len);

			err = p ? u64map_put(w->want, de->d_ino, p) : -ENOMEM;
			if (err)
				free(p);
			w->left--;
		}
		if (!err && depth < CGROUP_PATHS_MAX_DEPTH)
			err = visit(w, len + 1 + n, depth + 1);
		w->path[len] = '\0';
	}
	closedir(dir);
	return err;
}

/* The cgroup2 mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid v1 host. */
static const char *cgroup2_root(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs st;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		if (!statfs(roots[i], &st) && st.f_type == CGROUP2_SUPER_MAGIC)
			return roots[i];
	}
	return NULL;
}

int cgroup_paths_find(struct u64map *want, const void *unfound)
{
	const char *root = cgroup2_root();
	struct walk *w;
	int err;

	if (!root)
		return -ENOENT;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->want = want;
	w->unfound = unfound;
	u64map_for_each(want, s) w->left += s->value == unfound;
	w->root_len = strlen(root);
	memcpy(w->path, root, w->root_len + 1);
	err = visit(w, w->root_len, 1);
	free(w);
	return err;
}
