// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "privileges.h"

#define BIT(cap) (1ull << (cap))

/* The effective (or permitted) set of the calling process as a bit mask. */
static int caps_mask(cap_flag_t flag, uint64_t *out)
{
	cap_t caps = cap_get_proc();
	int last = cap_max_bits();

	if (!caps)
		return -errno;
	*out = 0;
	for (int cap = 0; cap < last && cap < 64; cap++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (!cap_get_flag(caps, cap, flag, &v) && v == CAP_SET)
			*out |= BIT(cap);
	}
	cap_free(caps);
	return 0;
}

int capabilities_check(char *err, size_t errlen)
{
	uint64_t split = BIT(CAP_BPF) | BIT(CAP_PERFMON), eff;
	int ret = caps_mask(CAP_EFFECTIVE, &eff);

	if (ret) {
		snprintf(err, errlen, "cannot read capabilities: %s", strerror(-ret));
		return ret;
	}
	if ((eff & BIT(CAP_SYS_ADMIN)) || (eff & split) == split)
		return 0;
	snprintf(err, errlen,
		 "missing capability %s: run as root or grant CAP_BPF and CAP_PERFMON "
		 "(kernels before 5.8: CAP_SYS_ADMIN)",
		 eff & BIT(CAP_BPF) ? "CAP_PERFMON" : "CAP_BPF");
	return -EPERM;
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

/*
 * The bounding set first: dropping from it needs CAP_SETPCAP, which the
 * cap_set_proc() after it removes.  Without CAP_SETPCAP (a unit that already
 * bounds the daemon) the bounding set is left to systemd.
 */
static int bounding_set_drop(uint64_t keep)
{
	uint64_t eff;
	int ret = caps_mask(CAP_EFFECTIVE, &eff);

	if (ret || !(eff & BIT(CAP_SETPCAP)))
		return ret;
	for (int cap = 0; cap < cap_max_bits() && cap < 64; cap++) {
		if (!(keep & BIT(cap)) && CAP_IS_SUPPORTED(cap) && cap_drop_bound(cap))
			return -errno;
	}
	return 0;
}

static int caps_set_only(uint64_t keep)
{
	cap_t caps = cap_init();
	int ret = 0;

	if (!caps)
		return -errno;
	for (int cap = 0; cap < 64; cap++) {
		cap_value_t v = cap;

		if ((keep & BIT(cap)) && (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) ||
					  cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET))) {
			ret = -errno;
			break;
		}
	}
	if (!ret && cap_set_proc(caps))
		ret = -errno;
	cap_free(caps);
	return ret;
}

int64_t privileges_drop(void)
{
	uint64_t permitted, keep;
	int ret = caps_mask(CAP_PERMITTED, &permitted);

	if (ret)
		return ret;
	keep = keep_mask(permitted);
	ret = bounding_set_drop(keep);
	if (ret)
		return ret;
	/* Ambient capabilities would survive an exec; the daemon execs nothing. */
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient())
		return -errno;
	ret = caps_set_only(keep);
	if (ret)
		return ret;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return (int64_t)keep;
}

void privileges_describe(uint64_t mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int cap = 0; cap < 64 && off < len; cap++) {
		char *name;

		if (!(mask & BIT(cap)))
			continue;
		/* libcap names every capability, "cap_sys_ptrace", or numbers one it does not know. */
		name = cap_to_name(cap);
		off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", name ? name : "?");
		cap_free(name);
	}
	if (!off)
		snprintf(buf, len, "none");
}
