// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include "sysfs.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
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

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int capabilities_check(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	/* glibc has no capget() wrapper, and libcap would be one dependency more. */
	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(err, errlen, "cannot read capabilities: %s", strerror(errno));
		return -errno;
	}
	if (has_cap(data, CAP_SYS_ADMIN))
		return 0;
	if (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON))
		return 0;
	snprintf(err, errlen,
		 "missing capability %s: run as root or grant CAP_BPF and CAP_PERFMON "
		 "(kernels before 5.8: CAP_SYS_ADMIN)",
		 has_cap(data, CAP_BPF) ? "CAP_PERFMON" : "CAP_BPF");
	return -EPERM;
}

void memlock_rlimit_raise(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	setrlimit(RLIMIT_MEMLOCK, &r);
}
