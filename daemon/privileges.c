// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "privileges.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define BIT(cap) (1ull << (cap))

struct capsets {
	uint64_t effective, permitted, inheritable;
};

/* glibc wraps neither capget nor capset, and libcap would be one dependency more. */
static int caps_get(struct capsets *c)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	c->effective = d[0].effective | (uint64_t)d[1].effective << 32;
	c->permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct capsets *c)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
		{ (uint32_t)c->effective, (uint32_t)c->permitted, (uint32_t)c->inheritable },
		{ c->effective >> 32, c->permitted >> 32, c->inheritable >> 32 },
	};

	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

int capabilities_check(char *err, size_t errlen)
{
	uint64_t split = BIT(CAP_BPF) | BIT(CAP_PERFMON);
	struct capsets c = {};
	int ret = caps_get(&c);

	if (ret) {
		snprintf(err, errlen, "cannot read capabilities: %s", strerror(-ret));
		return ret;
	}
	if ((c.effective & BIT(CAP_SYS_ADMIN)) || (c.effective & split) == split)
		return 0;
	snprintf(err, errlen,
		 "missing capability %s: run as root or grant CAP_BPF and CAP_PERFMON "
		 "(kernels before 5.8: CAP_SYS_ADMIN)",
		 c.effective & BIT(CAP_BPF) ? "CAP_PERFMON" : "CAP_BPF");
	return -EPERM;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n < 63 ? n : 63;
}

static uint64_t keep_mask(uint64_t permitted)
{
	uint64_t split = BIT(CAP_BPF) | BIT(CAP_PERFMON);
	uint64_t keep = split | BIT(CAP_SYSLOG);

	/* Before 5.8 (or when only CAP_SYS_ADMIN was granted) it alone admits bpf(). */
	if ((permitted & split) != split)
		keep |= BIT(CAP_SYS_ADMIN);
	return keep & permitted;
}

int64_t privileges_drop(void)
{
	struct capsets c = {};
	uint64_t keep;
	int ret, last = last_cap();

	ret = caps_get(&c);
	if (ret)
		return ret;
	keep = keep_mask(c.permitted);

	/*
	 * The bounding set first: dropping from it needs CAP_SETPCAP, which
	 * the capset below removes.  Without CAP_SETPCAP (a unit that already
	 * bounds the daemon) the bounding set is left to systemd.
	 */
	if (c.effective & BIT(CAP_SETPCAP)) {
		for (int cap = 0; cap <= last; cap++) {
			if (!(keep & BIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
				return -errno;
		}
	}
	/* Ambient capabilities would survive an exec; the daemon execs nothing. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	c.effective = c.permitted = keep;
	c.inheritable = 0;
	ret = caps_set(&c);
	if (ret)
		return ret;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return (int64_t)keep;
}

static const char *const cap_names[] = {
	[CAP_NET_ADMIN] = "cap_net_admin",
	[CAP_SYS_ADMIN] = "cap_sys_admin",
	[CAP_SYSLOG] = "cap_syslog",
	[CAP_PERFMON] = "cap_perfmon",
	[CAP_BPF] = "cap_bpf",
};

void privileges_describe(uint64_t mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int cap = 0; cap < 64 && off < len; cap++) {
		const char *name = cap < (int)(sizeof(cap_names) / sizeof(cap_names[0]))
					   ? cap_names[cap]
					   : NULL;

		if (!(mask & BIT(cap)))
			continue;
		if (name)
			off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", name);
		else
			off += snprintf(buf + off, len - off, "%scap_%d", off ? "," : "", cap);
	}
	if (!off)
		snprintf(buf, len, "none");
}
