/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel facilities the daemon needs before it can load anything. */
#ifndef SKBTRACE_SYSFS_H
#define SKBTRACE_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Mounts tracefs at /sys/kernel/tracing unless it (or debugfs' copy) is there. */
int tracefs_ensure(char *err, size_t errlen);

/* Reads the number a /proc or /sys file starts with; 0 or a negative errno. */
int read_u64_file(const char *path, uint64_t *out);

/*
 * A kernel CPU list ("0-3,8,10-11", as /sys/devices/system/cpu/online holds)
 * as mask[0..n-1]; CPUs from n on are ignored.  Returns how many CPUs are
 * set, or -EINVAL.
 */
int cpu_list_parse(const char *s, bool *mask, int n);
int cpu_list_read(const char *path, bool *mask, int n);

/* Open files up to the hard limit: web.max_connections sockets besides the BPF objects. */
void nofile_rlimit_raise(void);

#endif /* SKBTRACE_SYSFS_H */
