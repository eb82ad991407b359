// SPDX-License-Identifier: GPL-2.0
/* Parsing the kernel's CPU lists (/sys/devices/system/cpu/online), which pick the CPUs read. */
#include <errno.h>
#include <stdbool.h>
#include "check.h"
#include "sysfs.h"

#define N 8

static const char *mask_str(const bool *m)
{
	static char s[N + 1];

	for (int i = 0; i < N; i++)
		s[i] = m[i] ? '1' : '0';
	s[N] = '\0';
	return s;
}

static void expect(const char *list, int count, const char *mask)
{
	bool m[N];

	CHECK(cpu_list_parse(list, m, N) == count);
	if (count >= 0)
		CHECK_STR_EQ(mask_str(m), mask);
}

int main(void)
{
	expect("0\n", 1, "10000000");
	expect("0-1\n", 2, "11000000");
	expect("0-2,5,7\n", 5, "11100101");
	expect("1,3-4", 3, "01011000");
	/* CPUs beyond the mask are not counted: the caller sized it to the possible CPUs. */
	expect("6-11\n", 2, "00000011");
	expect("2,2-3\n", 2, "00110000");
	expect("", 0, "00000000");
	expect("x\n", -EINVAL, NULL);
	expect("3-1\n", -EINVAL, NULL);
	expect("1-\n", -EINVAL, NULL);
	expect("1;2\n", -EINVAL, NULL);
	return check_summary("test_cpu_list");
}
