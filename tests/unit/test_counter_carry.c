// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "counter_carry.h"
#include "expo.h"

/* One probe instance's series: a counter per netns, a gauge, a kernel-owned counter. */
static void collect(struct expo *e, const char *const *netns, int n, uint64_t count)
{
	struct expo_family *drops = expo_family(e, "t_drops_total", EXPO_COUNTER, "drops");
	struct expo_family *fill = expo_family(e, "t_fill", EXPO_GAUGE, "fill");
	struct expo_family *kern = expo_family(e, "t_kernel_total", EXPO_COUNTER, "kernel's");

	expo_family_kernel_owned(kern);
	for (int i = 0; i < n; i++) {
		struct expo_label l[] = { { "reason", "X" }, { "netns", netns[i] } };

		CHECK(!expo_add_u64(drops, l, 2, count));
	}
	CHECK(!expo_add_u64(fill, NULL, 0, count));
	CHECK(!expo_add_u64(kern, NULL, 0, count));
}

/* A scrape of the new instance with the carried values. */
static char *scrape(struct counter_carry *c, const char *const *netns, int n, uint64_t count)
{
	struct expo *e = expo_new();
	char *s;

	counter_carry_apply_observed(c, e, NULL, NULL);
	collect(e, netns, n, count);
	CHECK(!counter_carry_emit_rest(c, e));
	s = expo_render(e, NULL);
	expo_free(e);
	return s;
}

static void absorb(struct counter_carry *c, const char *const *netns, int n, uint64_t count)
{
	struct expo *e = expo_new();

	counter_carry_absorb(c, e);
	collect(e, netns, n, count);
	expo_free(e);
}

static void test_continues(void)
{
	struct counter_carry *c = counter_carry_new();
	const char *const both[] = { "1", "2" }, *const one[] = { "1" };
	char *s;

	absorb(c, both, 2, 10); /* the first instance counted 10 each */
	CHECK(counter_carry_count(c) == 2);
	s = scrape(c, one, 1, 3); /* the new one: 3 in netns 1, nothing in 2 */
	CHECK_CONTAINS(s, "t_drops_total{reason=\"X\",netns=\"1\"} 13\n");
	CHECK_CONTAINS(s, "t_drops_total{reason=\"X\",netns=\"2\"} 10\n");
	CHECK_CONTAINS(s, "t_fill 3\n");	 /* gauges are not carried */
	CHECK_CONTAINS(s, "t_kernel_total 3\n"); /* nor the kernel's own counters */
	CHECK(strstr(s, "# TYPE t_drops_total counter") == strstr(s, "# TYPE t_drops_total"));
	free(s);

	absorb(c, one, 1, 5); /* the second instance ends at 5: 15 in all */
	s = scrape(c, both, 2, 1);
	CHECK_CONTAINS(s, "t_drops_total{reason=\"X\",netns=\"1\"} 16\n");
	CHECK_CONTAINS(s, "t_drops_total{reason=\"X\",netns=\"2\"} 11\n");
	free(s);
	counter_carry_free(c);
}

static void test_limit_overflow(void)
{
	struct counter_carry *c = counter_carry_new();
	const char *const three[] = { "1", "2", "3" };
	char *s;

	counter_carry_set_limit(c, 2);
	absorb(c, three, 3, 7);
	CHECK(counter_carry_folded(c) == 1);
	s = scrape(c, three, 0, 0);
	/* Two series carried, the third one's count in the overflow series: none lost. */
	CHECK_CONTAINS(s, "t_drops_total{reason=\"X\",netns=\"1\"} 7\n");
	CHECK_CONTAINS(s, "t_drops_total{reason=\"X\",netns=\"2\"} 7\n");
	CHECK_CONTAINS(s, "t_drops_total{reason=\"overflow\",netns=\"overflow\"} 7\n");
	CHECK(!strstr(s, "netns=\"3\""));
	free(s);
	counter_carry_free(c);
}

struct observed {
	int samples;
	uint64_t last;
	char netns[8][8];
	int n_netns;
};

static void observe(struct expo_sample *s, void *ctx)
{
	struct observed *o = ctx;

	o->samples++;
	o->last = s->u;
}

static void note_netns(const char *value, void *ctx)
{
	struct observed *o = ctx;

	if (o->n_netns < 8)
		snprintf(o->netns[o->n_netns++], sizeof(o->netns[0]), "%s", value);
}

/* The scrape's counter samples, carried value included, until the carried rest. */
static void test_observed(void)
{
	struct counter_carry *c = counter_carry_new();
	const char *const both[] = { "1", "2" }, *const one[] = { "1" };
	struct observed o = {};
	struct expo_family *f;
	struct expo *e = expo_new();

	counter_carry_apply_observed(c, e, observe, &o);
	collect(e, one, 1, 4); /* nothing carried yet: seen all the same */
	CHECK(o.samples == 1 && o.last == 4);
	CHECK(!counter_carry_emit_rest(c, e));
	expo_free(e);

	absorb(c, both, 2, 10);
	o = (struct observed){};
	e = expo_new();
	counter_carry_apply_observed(c, e, observe, &o);
	collect(e, one, 1, 3); /* the gauge and the kernel's counter are not seen */
	CHECK(o.samples == 1 && o.last == 13);
	CHECK(!counter_carry_emit_rest(c, e)); /* netns 2, carried alone: not seen */
	f = expo_family(e, "t_after_total", EXPO_COUNTER, "after");
	CHECK(f && !expo_add_u64(f, NULL, 0, 1));
	CHECK(o.samples == 1);
	expo_free(e);

	/* A plain apply does not call the last scrape's observer. */
	e = expo_new();
	counter_carry_apply_observed(c, e, NULL, NULL);
	collect(e, one, 1, 3);
	CHECK(o.samples == 1);
	CHECK(!counter_carry_emit_rest(c, e));
	expo_free(e);

	counter_carry_each_label(c, "netns", note_netns, &o);
	CHECK(o.n_netns == 2);
	CHECK((!strcmp(o.netns[0], "1") && !strcmp(o.netns[1], "2")) ||
	      (!strcmp(o.netns[0], "2") && !strcmp(o.netns[1], "1")));
	counter_carry_each_label(c, "stack", note_netns, &o);
	CHECK(o.n_netns == 2);
	counter_carry_free(c);
}

int main(void)
{
	test_observed();
	test_continues();
	test_limit_overflow();
	return check_summary("test_counter_carry");
}
