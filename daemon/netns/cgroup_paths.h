/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 ids to paths: a cgroup's id is the inode number of its directory
 * under the cgroup2 mount, so a walk of /sys/fs/cgroup names them.
 */
#ifndef SKBTRACE_CGROUP_PATHS_H
#define SKBTRACE_CGROUP_PATHS_H

#include "u64map.h"

/* Directories a walk visits at most, and how deep. */
#define CGROUP_PATHS_MAX_DIRS 100000
#define CGROUP_PATHS_MAX_DEPTH 32

/*
 * For every key of `want` (cgroup ids, values anything but NULL), sets the
 * value to a malloc'd path relative to the cgroup2 root ("/system.slice/x"),
 * or leaves it when the walk did not find the id.  Stops once all are found;
 * follows no symlinks.  Returns 0, -ENOENT without a cgroup2 mount, or
 * another negative errno.
 */
int cgroup_paths_find(struct u64map *want, const void *unfound);

#endif /* SKBTRACE_CGROUP_PATHS_H */
