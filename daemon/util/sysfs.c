// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "sysfs.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

static int is_tracefs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && (unsigned long)st.f_type == TRACEFS_MAGIC;
}

int tracefs_ensure(char *err, size_t errlen)
{
	if (is_tracefs("/sys/kernel/tracing") || is_tracefs("/sys/kernel/debug/tracing"))
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		snprintf(err, errlen, "cannot mount tracefs on /sys/kernel/tracing: %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

void nofile_rlimit_raise(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int read_u64_file(const char *path, uint64_t *out)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%" SCNu64, out) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

int cpu_list_parse(const char *s, bool *mask, int n)
{
	int count = 0;

	memset(mask, 0, n * sizeof(*mask));
	while (*s && *s != '\n') {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			hi = strtoul(++s, &end, 10);
			if (end == s || hi < lo)
				return -EINVAL;
			s = end;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
		for (unsigned long c = lo; c <= hi && c < (unsigned long)n; c++) {
			count += !mask[c];
			mask[c] = true;
		}
	}
	return count;
}

int cpu_list_read(const char *path, bool *mask, int n)
{
	char buf[4096];
	FILE *f = fopen(path, "re");
	int err;

	if (!f)
		return -errno;
	err = fgets(buf, sizeof(buf), f) ? cpu_list_parse(buf, mask, n) : -EINVAL;
	fclose(f);
	return err;
}
