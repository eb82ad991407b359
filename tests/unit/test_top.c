// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace top's parser, view and layout on a real /metrics body captured
 * from the daemon (fixtures/metrics.txt: drops of an nft rule and of a
 * closed port, resets), and on hand-written bodies for the format's corners.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "config.h"
#include "diagnosis.h"
#include "top/top_layout.h"
#include "top/top_parse.h"
#include "top/top_view.h"

static char *slurp(const char *file, size_t *len)
{
	char err[256];
	char *s = config_read_file(file, len, err, sizeof(err));

	if (!s)
		fprintf(stderr, "%s\n", err);
	return s;
}

static const struct top_sample *find(const struct top_scrape *s, const char *name,
				     const char *label, const char *value)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *v = label ? top_label_get(&s->samples[i], label) : "";

		if (!strcmp(s->samples[i].name, name) && v && (!value || !strcmp(v, value)))
			return &s->samples[i];
	}
	return NULL;
}

static void test_parse_fixture(const char *text, size_t len)
{
	struct top_scrape s;
	const struct top_sample *d = NULL;
	char err[256] = "";

	CHECK(top_parse(text, len, &s, err, sizeof(err)) == 0);
	CHECK_STR_EQ(err, "");
	/* Every line that is not a comment is a sample. */
	CHECK(s.n > 50);
	for (size_t i = 0; i < s.n; i++) {
		const char *ns = top_label_get(&s.samples[i], "netns");
		const char *r = top_label_get(&s.samples[i], "reason");

		if (!strcmp(s.samples[i].name, "skbtrace_drops_total") && ns && r &&
		    !strcmp(ns, "4026532316") && !strcmp(r, "NETFILTER_DROP"))
			d = &s.samples[i];
	}
	CHECK(d && d->value == 50);
	CHECK(d && d->n_labels == 3);
	CHECK_STR_EQ(d ? top_label_get(d, "location") : NULL, "nft_do_chain+1135");
	CHECK(find(&s, "skbtrace_conntrack_netns_over_limit", NULL, NULL) != NULL);
	top_scrape_free(&s);
}

static void test_parse_corners(void)
{
	static const char body[] = "# HELP m A \"help\" with \\ and \\n\n"
				   "# TYPE m counter\n"
				   "m{a=\"x\\\"y\\\\z\\nw\",b=\"\"} 3\r\n"
				   "  m_two{ a = \"1\" , } +Inf 1700000000000\n"
				   "m_three 1e3\n"
				   "unknown_family{x=\"\xc3\xa9\"} -2\n"
				   "\n";
	struct top_scrape s;
	char err[256] = "";

	CHECK(top_parse(body, strlen(body), &s, err, sizeof(err)) == 0);
	CHECK_STR_EQ(err, "");
	CHECK(s.n == 4);
	if (s.n == 4) {
		CHECK_STR_EQ(s.samples[0].name, "m");
		CHECK_STR_EQ(top_label_get(&s.samples[0], "a"), "x\"y\\z\nw");
		CHECK_STR_EQ(top_label_get(&s.samples[0], "b"), "");
		CHECK(s.samples[0].value == 3);
		CHECK_STR_EQ(s.samples[1].name, "m_two");
		CHECK(s.samples[1].value > 1e308);
		CHECK(s.samples[2].value == 1000);
		CHECK(s.samples[3].value == -2);
	}
	top_scrape_free(&s);
}

static void expect_error(const char *body, const char *msg)
{
	struct top_scrape s;
	char err[256] = "";

	CHECK(top_parse(body, strlen(body), &s, err, sizeof(err)) < 0);
	CHECK_STR_EQ(err, msg);
	CHECK(s.samples == NULL && s.text == NULL);
}

static void test_parse_errors(void)
{
	expect_error("ok 1\nm{a=\"x} 1\n", "line 2: expected a valid label value (escapes \\\\, "
					   "\\\", \\n; closing quote)");
	expect_error("m{a=\"\\t\"} 1\n", "line 1: expected a valid label value (escapes \\\\, "
					 "\\\", \\n; closing quote)");
	expect_error("m{a=1} 1\n", "line 1: expected a quoted label value");
	expect_error("m{a=\"1\" b=\"2\"} 1\n", "line 1: expected ',' or '}' after a label");
	expect_error("m\n", "line 1: expected a value");
	expect_error("m abc\n", "line 1: expected a number as the value");
	expect_error("m 1 2 3\n", "line 1: expected nothing but a timestamp after the value");
	expect_error("<html>\n", "line 1: expected a metric name");
	expect_error("m{a=\"1\",b=\"1\",c=\"1\",d=\"1\",e=\"1\",f=\"1\",g=\"1\",h=\"1\",i=\"1\","
		     "j=\"1\",k=\"1\",l=\"1\",n=\"1\",o=\"1\",p=\"1\",q=\"1\",r=\"1\"} 1\n",
		     "line 1: expected at most 16 labels");
}

static const char *line_with(const struct top_screen *s, const char *a, const char *b)
{
	for (size_t i = 0; i < s->n; i++)
		if (strstr(s->lines[i], a) && (!b || strstr(s->lines[i], b)))
			return s->lines[i];
	return NULL;
}

static void check_fits(const struct top_screen *s, int w, int h)
{
	CHECK(s->n > 0 && s->n <= (size_t)h);
	for (size_t i = 0; i < s->n; i++) {
		CHECK(strlen(s->lines[i]) <= (size_t)w);
		for (const char *p = s->lines[i]; *p; p++)
			CHECK(*p >= ' ' && *p < 0x7f);
	}
}

/* A row ends with the table's cause for its key, maybe cut at the width; never another. */
static void check_hint(const char *line, enum hint_kind kind, const char *key)
{
	const struct hint *h = hint_find(kind, key);
	size_t len = line ? strlen(line) : 0, n;

	CHECK(line != NULL);
	if (!line || !h)
		return;
	for (n = strlen(h->cause); n >= 4; n--)
		if (n <= len && !strncmp(line + len - n, h->cause, n))
			break;
	if (n < 4)
		fprintf(stderr, "\"%s\" does not end with the cause \"%s\"\n", line, h->cause);
	CHECK(n >= 4);
}

static void test_layout(const char *text, size_t len)
{
	struct top_layout_info info = { .url = "http://x/metrics",
					.when = "now",
					.interactive = true };
	struct top_scrape cur, prev;
	struct top_view v;
	char err[256], *later;
	const char *row;
	size_t llen;

	/*
	 * The same body, with 20 more NETFILTER_DROPs (and their stack) in netns
	 * 4026532316, and a name for that namespace.
	 */
	later = malloc(len + 256);
	memcpy(later, text, len + 1);
	{
		char *p = strstr(later, "location=\"nft_do_chain+1135\",netns=\"4026532316\"} 50");

		CHECK(p != NULL);
		if (p)
			memcpy(strstr(p, "} 50"), "} 70", 4);
		p = strstr(later, "netns=\"4026532316\",stack=\"8c015adecfb0a047\"} 50");
		CHECK(p != NULL);
		if (p)
			memcpy(strstr(p, "} 50"), "} 70", 4);
	}
	strcat(later, "skbtrace_netns_info{netns=\"4026532316\",name=\"blue\",kind=\"named\"} 1\n");
	llen = strlen(later);
	CHECK(top_parse(text, len, &prev, err, sizeof(err)) == 0);
	CHECK(top_parse(later, llen, &cur, err, sizeof(err)) == 0);

	/* First screen: totals. */
	CHECK(top_view_build(&v, &prev, NULL, 0) == 0);
	{
		struct top_screen s = { .width = 80, .height = 24 };

		CHECK(top_layout(&v, &info, &s) == 0);
		check_fits(&s, 80, 24);
		CHECK(line_with(&s, "totals since the daemon started", NULL) != NULL);
		row = line_with(&s, "NETFILTER_DROP", "4026532178");
		CHECK_CONTAINS(row, "163800");
		check_hint(row, HINT_DROP_REASON, "NETFILTER_DROP");
		CHECK(line_with(&s, "PROBES drop tp_btf, reset tp_btf, conntrack tp_btf", NULL));
		CHECK(line_with(&s, "@[", NULL) != NULL);
		CHECK(line_with(&s, "RESETS", NULL) != NULL);
		CHECK(line_with(&s, "CONNTRACK   0.0% full  0/262144 entries  netns 4026532247",
				NULL) != NULL);
		top_screen_free(&s);
	}
	top_view_free(&v);

	/* Rates over 2 s: 10/s for the 20 new drops, 0 for the rest; the name joined. */
	CHECK(top_view_build(&v, &cur, &prev, 2.0) == 0);
	CHECK(v.drops.n == 7);
	if (v.drops.n) {
		CHECK_STR_EQ(v.drops.r[0].f[DROP_REASON], "NETFILTER_DROP");
		CHECK_STR_EQ(v.drops.r[0].f[DROP_NETNS], "4026532316");
		CHECK(v.drops.r[0].rate == 10);
		CHECK(v.drops.r[0].total == 70);
		CHECK(v.drops.r[1].rate == 0);
	}
	CHECK_STR_EQ(top_view_netns(&v, "4026532316"), "blue");
	CHECK_STR_EQ(top_view_netns(&v, "4026532178"), "4026532178");
	/* Resets are summed over state: two rows of 20. */
	CHECK(v.resets.n == 2);
	{
		const char *frames[4];
		char buf[4096];

		CHECK(top_view_frames(&v, "8c015adecfb0a047", buf, sizeof(buf), frames, 4) == 12);
		CHECK_STR_EQ(frames[0], "sk_skb_reason_drop+144");
		CHECK_STR_EQ(frames[3], "nf_hook_slow+67");
	}
	for (int w = 20; w <= 200; w += 30)
		for (int h = 5; h <= 60; h += 11) {
			struct top_screen s = { .width = w, .height = h };

			CHECK(top_layout(&v, &info, &s) == 0);
			check_fits(&s, w, h);
			top_screen_free(&s);
		}
	{
		struct top_screen s = { .width = 80, .height = 24 };

		CHECK(top_layout(&v, &info, &s) == 0);
		check_fits(&s, 80, 24);
		CHECK(line_with(&s, "rates per second over the last 2.0 s", NULL) != NULL);
		row = line_with(&s, "NETFILTER_DROP", "blue");
		CHECK_CONTAINS(row, "    10 NETFILTER_DROP     nft_do_chain+1135        blue");
		check_hint(row, HINT_DROP_REASON, "NETFILTER_DROP");
		/* Four drop rows, then the fastest stack, bpftrace's way: innermost frame first. */
		CHECK(s.n > 9 && !strcmp(s.lines[8], "STACKS by rate, innermost frame first"));
		CHECK(line_with(&s, "        sk_skb_reason_drop+144", NULL) != NULL);
		CHECK(line_with(&s, "        nf_hook_slow+67", NULL) != NULL);
		row = line_with(&s, ", drop, NETFILTER_DROP, netns blue]: 70  10/s", NULL);
		CHECK(row != NULL);
		check_hint(row, HINT_DROP_REASON, "NETFILTER_DROP");
		top_screen_free(&s);
	}
	{
		struct top_screen s = {}; /* plain: every section, no cut */

		info.interactive = false;
		CHECK(top_layout(&v, &info, &s) == 0);
		CHECK(s.n > 24);
		CHECK(line_with(&s, "(q quits)", NULL) == NULL);
		CHECK(line_with(&s, "virtio_transport_recv_pkt+1076", NULL) != NULL);
		CHECK(line_with(&s, "        entry_SYSCALL_64_after_hwframe+118", NULL) != NULL);
		top_screen_free(&s);
	}
	top_view_free(&v);
	top_scrape_free(&cur);
	top_scrape_free(&prev);
	free(later);
}

/* One scrape's body, parsed, viewed without rates and laid out on 80x24, which it must fit. */
static void lay_out_80x24(const char *body, struct top_scrape *sc, struct top_view *v,
			  const struct top_layout_info *info, struct top_screen *s)
{
	char err[256];

	CHECK(top_parse(body, strlen(body), sc, err, sizeof(err)) == 0);
	CHECK(top_view_build(v, sc, NULL, 0) == 0);
	CHECK(top_layout(v, info, s) == 0);
	check_fits(s, 80, 24);
}

/* Label values come from the network: no terminal escape reaches the screen. */
static void test_no_escapes(void)
{
	static const char body[] = "skbtrace_drops_total{reason=\"\x1b[2J\",location=\"a\xc3\xa9\","
				   "netns=\"1\"} 5\n";
	struct top_layout_info info = { .url = "u", .when = "t" };
	struct top_screen s = { .width = 80, .height = 24 };
	struct top_scrape sc;
	struct top_view v;

	lay_out_80x24(body, &sc, &v, &info, &s);
	CHECK(line_with(&s, "?[2J", "a??") != NULL);
	top_screen_free(&s);
	top_view_free(&v);
	top_scrape_free(&sc);
}

/* Listen overflows with their port, conntrack fill fullest first, probe errors. */
static void test_other_sections(void)
{
	static const char body[] =
		"skbtrace_tcp_listen_overflows_total{netns=\"7\",port=\"8080\"} 3\n"
		"skbtrace_conntrack_entries{netns=\"7\"} 100\n"
		"skbtrace_conntrack_entries{netns=\"8\"} 900\n"
		"skbtrace_conntrack_entries_limit{netns=\"7\"} 1000\n"
		"skbtrace_conntrack_entries_limit{netns=\"8\"} 1000\n"
		"skbtrace_probe_enabled{probe=\"drop\"} 1\n"
		"skbtrace_probe_attach_failed{probe=\"drop\"} 1\n"
		"skbtrace_probe_attached{probe=\"drop\",method=\"none\"} 0\n"
		"skbtrace_probe_enabled{probe=\"reset\"} 1\n"
		"skbtrace_probe_attached{probe=\"reset\",method=\"raw_tp\"} 1\n"
		"skbtrace_map_overflow_events_total{probe=\"reset\",map=\"reset_counts\"} 4\n"
		"skbtrace_probe_enabled{probe=\"conntrack\"} 0\n";
	struct top_layout_info info = { .url = "u", .when = "t" };
	struct top_screen s = { .width = 80, .height = 24 };
	struct top_scrape sc;
	struct top_view v;

	lay_out_80x24(body, &sc, &v, &info, &s);
	CHECK(line_with(&s, "       3 sent     listen_overflow ACCEPT_QUEUE_FULL  8080  7", NULL));
	/* 24 lines have room for the fullest namespace only. */
	CHECK(!strcmp(s.lines[s.n - 1], "CONNTRACK  90.0% full  900/1000 entries  netns 8"));
	top_screen_free(&s);
	s = (struct top_screen){};
	CHECK(top_layout(&v, &info, &s) == 0);
	CHECK(s.n >= 2 &&
	      !strcmp(s.lines[s.n - 2], "CONNTRACK  90.0% full  900/1000 entries  netns 8"));
	CHECK(!strcmp(s.lines[s.n - 1], "CONNTRACK  10.0% full  100/1000 entries  netns 7"));
	CHECK(line_with(&s,
			"PROBES drop ATTACH FAILED, reset raw_tp (overflows 4, stacks lost 0), "
			"conntrack off",
			NULL));
	top_screen_free(&s);
	top_view_free(&v);
	top_scrape_free(&sc);
}

int main(void)
{
	size_t len;
	char *text = slurp("fixtures/metrics.txt", &len);

	CHECK(text != NULL);
	if (text) {
		test_parse_fixture(text, len);
		test_layout(text, len);
	}
	test_parse_corners();
	test_parse_errors();
	test_no_escapes();
	test_other_sections();
	free(text);
	return check_summary("test_top");
}
