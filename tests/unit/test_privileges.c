// SPDX-License-Identifier: GPL-2.0
/*
 * privileges_drop() as root: what it keeps, what it removes for good, and
 * that the kept set depends on what was granted.  Each case runs in a child,
 * since dropping is irreversible.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "check.h"
#include "privileges.h"

#define CAP_BPF_ 39
#define CAP_PERFMON_ 38
#define BIT(cap) (1ull << (cap))

static uint64_t effective(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	syscall(SYS_capget, &hdr, d);
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

/* Exit codes say which expectation failed. */
static int drop_as_root(void)
{
	uint64_t want = BIT(CAP_BPF_) | BIT(CAP_PERFMON_) | BIT(CAP_SYSLOG);
	int64_t kept = privileges_drop();

	if (kept != (int64_t)want)
		return 1;
	if (effective() != want)
		return 2;
	if (prctl(PR_CAPBSET_READ, CAP_NET_ADMIN, 0, 0, 0) != 0)
		return 3;
	if (prctl(PR_CAPBSET_READ, CAP_BPF_, 0, 0, 0) != 1)
		return 4;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 5;
	/* Gone for good: not even root gets it back. */
	if (setuid(0) == 0 && effective() != want)
		return 6;
	return 0;
}

/* A process granted only CAP_SYS_ADMIN (kernels before 5.8) must keep it. */
static int drop_with_sys_admin_only(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	syscall(SYS_capget, &hdr, d);
	d[1].effective &= ~(BIT(CAP_BPF_ - 32) | BIT(CAP_PERFMON_ - 32));
	d[1].permitted &= ~(BIT(CAP_BPF_ - 32) | BIT(CAP_PERFMON_ - 32));
	if (syscall(SYS_capset, &hdr, d))
		return 10;
	return privileges_drop() == (int64_t)(BIT(CAP_SYS_ADMIN) | BIT(CAP_SYSLOG)) ? 0 : 11;
}

int main(void)
{
	char buf[128];

	privileges_describe(BIT(CAP_BPF_) | BIT(CAP_SYSLOG) | BIT(CAP_NET_ADMIN), buf, sizeof(buf));
	CHECK_STR_EQ(buf, "cap_net_admin,cap_syslog,cap_bpf");
	privileges_describe(BIT(CAP_SYS_PTRACE) | BIT(CAP_SYS_ADMIN), buf, sizeof(buf));
	CHECK_STR_EQ(buf, "cap_sys_ptrace,cap_sys_admin");
	privileges_describe(0, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "none");

	if (geteuid() == 0) {
		CHECK(in_child(drop_as_root) == 0);
		CHECK(in_child(drop_with_sys_admin_only) == 0);
	} else {
		check_skip("not root: no privileges_drop() case");
	}
	return check_summary("test_privileges");
}
