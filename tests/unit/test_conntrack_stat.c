// SPDX-License-Identifier: GPL-2.0
/* Parsing /proc/net/stat/nf_conntrack, whose columns differ between kernels. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "probes/conntrack_stat.h"

/* 6.x: "clashres" and "chainlength" columns; two CPUs. */
static const char table_6x[] =
	"entries  clashres found new invalid ignore delete chainlength insert insert_failed "
	"drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
	"00000008  00000000 00000000 00000000 00000003 00000000 00000000 00000000 00000000 "
	"00000001 0000000c 00000002 00000000  00000000 00000000 00000000 00000000\n"
	"00000008  00000000 00000000 00000000 00000001 00000000 00000000 00000000 00000000 "
	"00000000 000000f0 00000000 00000000  00000000 00000000 00000000 00000000\n";

/* 5.10: "searched" and "delete_list" instead; drop in another column. */
static const char table_510[] = "entries  searched found new invalid ignore delete delete_list "
				"insert insert_failed drop  early_drop icmp_error  expect_new "
				"expect_create expect_delete search_restart\n"
				"00000000  00000000 00000000 00000000 00000000 00000000 00000000 "
				"00000000 00000000 00000000 00000005  00000000 00000000  00000000 "
				"00000000 00000000 00000000\n";

static void parse(const char *text, struct ct_stat *st)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(ct_stat_parse(f, st) == 0);
	fclose(f);
}

static void test_6x(void)
{
	struct ct_stat st;

	parse(table_6x, &st);
	CHECK(st.entries == 8);
	CHECK(st.active);
	CHECK(st.sum[CT_STAT_DROP] == 252);
	CHECK(st.sum[CT_STAT_EARLY_DROP] == 2);
	CHECK(st.sum[CT_STAT_INSERT_FAILED] == 1);
	CHECK(st.sum[CT_STAT_INVALID] == 4);
}

static void test_510(void)
{
	struct ct_stat st;

	parse(table_510, &st);
	CHECK(st.entries == 0);
	CHECK(st.sum[CT_STAT_DROP] == 5);
	CHECK(st.active);
}

static void test_idle(void)
{
	struct ct_stat st;
	/* An empty file, not fmemopen: glibc refuses a buffer of size 0. */
	FILE *f = tmpfile();

	parse("entries drop\n00000000 00000000\n", &st);
	CHECK(!st.active);
	CHECK(f != NULL);
	if (f) {
		CHECK(ct_stat_parse(f, &st) == -EINVAL);
		fclose(f);
	}
}

int main(void)
{
	test_6x();
	test_510();
	test_idle();
	return check_summary("test_conntrack_stat");
}
