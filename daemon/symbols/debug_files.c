// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "debug_files.h"

/* Kernel trees nest modules a few directories deep (kernel/net/netfilter/). */
#define MAX_DEPTH 8

struct module_file {
	char *name; /* as the kernel names it: '-' becomes '_' */
	char *path;
};

struct debug_files {
	char root[DEBUG_PATH_LEN];
	char release[128];
	struct module_file *mods;
	size_t n_mods;
	bool indexed;
};

struct debug_files *debug_files_new(const char *root, const char *release)
{
	struct debug_files *df = calloc(1, sizeof(*df));

	if (!df)
		return NULL;
	snprintf(df->root, sizeof(df->root), "%s", root ? root : "");
	snprintf(df->release, sizeof(df->release), "%s", release);
	return df;
}

void debug_files_free(struct debug_files *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->n_mods; i++) {
		free(df->mods[i].name);
		free(df->mods[i].path);
	}
	free(df->mods);
	free(df);
}

/* "nf_tables.ko" or "nf_tables.ko.debug" -> "nf_tables"; NULL for anything else. */
static char *module_name(const char *file)
{
	size_t n = strlen(file), k;
	char *name;

	if (n > 9 && !strcmp(file + n - 9, ".ko.debug"))
		k = n - 9;
	else if (n > 3 && !strcmp(file + n - 3, ".ko"))
		k = n - 3;
	else
		return NULL;
	name = strndup(file, k);
	for (char *p = name; p && *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

static void index_dir(struct debug_files *df, const char *dir, int depth)
{
	struct dirent *de;
	DIR *d;

	if (depth > MAX_DEPTH || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) && df->n_mods < DEBUG_MAX_MODULES) {
		char path[DEBUG_PATH_LEN];
		struct module_file *m;
		char *name;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (de->d_type == DT_DIR) {
			index_dir(df, path, depth + 1);
			continue;
		}
		name = module_name(de->d_name);
		if (!name)
			continue;
		m = realloc(df->mods, (df->n_mods + 1) * sizeof(*m));
		if (!m) {
			free(name);
			break;
		}
		df->mods = m;
		m[df->n_mods].name = name;
		m[df->n_mods].path = strdup(path);
		if (!m[df->n_mods].path) {
			free(name);
			break;
		}
		df->n_mods++;
	}
	closedir(d);
}

/* Walked once, on the first question about a module: most runs ask only of vmlinux. */
static void index_modules(struct debug_files *df)
{
	char dir[DEBUG_PATH_LEN];

	if (df->indexed)
		return;
	df->indexed = true;
	snprintf(dir, sizeof(dir), "%s/usr/lib/debug/lib/modules/%s", df->root, df->release);
	index_dir(df, dir, 0);
}

/*
 * By the file's real path: Debian's lib/modules/<release>/vmlinux links to
 * boot/vmlinux-<release>, which must be checked (and logged) once, not twice.
 */
static int add_existing(char paths[][DEBUG_PATH_LEN], int n, int max, const char *path)
{
	char real[PATH_MAX];

	if (n >= max || access(path, R_OK) || !realpath(path, real))
		return n;
	for (int i = 0; i < n; i++)
		if (!strcmp(paths[i], real))
			return n;
	snprintf(paths[n], DEBUG_PATH_LEN, "%s", real);
	return n + 1;
}

int debug_files_candidates(struct debug_files *df, const char *module, const char *build_id,
			   char paths[][DEBUG_PATH_LEN], int max)
{
	char path[DEBUG_PATH_LEN];
	int n = 0;

	if (!strcmp(module, "vmlinux")) {
		snprintf(path, sizeof(path), "%s/usr/lib/debug/boot/vmlinux-%s", df->root,
			 df->release);
		n = add_existing(paths, n, max, path);
		snprintf(path, sizeof(path), "%s/usr/lib/debug/lib/modules/%s/vmlinux", df->root,
			 df->release);
		n = add_existing(paths, n, max, path);
	} else {
		index_modules(df);
		for (size_t i = 0; i < df->n_mods; i++)
			if (!strcmp(df->mods[i].name, module))
				n = add_existing(paths, n, max, df->mods[i].path);
	}
	if (build_id && strlen(build_id) > 2) {
		snprintf(path, sizeof(path), "%s/usr/lib/debug/.build-id/%.2s/%s.debug", df->root,
			 build_id, build_id + 2);
		n = add_existing(paths, n, max, path);
	}
	return n;
}

size_t debug_files_n_modules(struct debug_files *df)
{
	index_modules(df);
	return df->n_mods;
}

const char *debug_files_module(struct debug_files *df, size_t i, const char **name)
{
	if (i >= df->n_mods)
		return NULL;
	*name = df->mods[i].name;
	return df->mods[i].path;
}
