// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "expo.h"

static char *render(struct expo *e)
{
	size_t len = 0;
	char *s = expo_render(e, &len);

	CHECK(s != NULL);
	CHECK(s && strlen(s) == len);
	return s;
}

/* Samples in the rendered text: its lines that are not HELP or TYPE. */
static size_t samples_of(struct expo *e)
{
	size_t len = 0, n = 0;
	char *s = expo_render(e, &len);

	for (char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += *p != '#';
	free(s);
	return n;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void test_escaping(void)
{
	struct expo *e = expo_new();
	struct expo_family *f =
		expo_family(e, "esc_total", EXPO_COUNTER, "a \\ backslash\nand \"quotes\"");
	struct expo_label l[] = { { "v", "back\\slash \"q\" new\nline" } };
	char *s;

	CHECK(f != NULL);
	CHECK(expo_add_u64(f, l, 1, 7) == 0);
	s = render(e);
	/* HELP leaves quotes alone; only label values escape them. */
	CHECK_STR_EQ(s, "# HELP esc_total a \\\\ backslash\\nand \"quotes\"\n"
			"# TYPE esc_total counter\n"
			"esc_total{v=\"back\\\\slash \\\"q\\\" new\\nline\"} 7\n");
	free(s);
	expo_free(e);
}

static void test_grouping(void)
{
	struct expo *e = expo_new();
	struct expo_family *a = expo_family(e, "a_total", EXPO_COUNTER, "A.");
	struct expo_family *b = expo_family(e, "b", EXPO_GAUGE, "B.");
	struct expo_label la[] = { { "x", "1" }, { "y", "2" } };
	char *s;

	CHECK(expo_add_u64(a, la, 2, 1) == 0);
	CHECK(expo_add_double(b, NULL, 0, 0.5) == 0);
	CHECK(expo_add_u64(a, la, 1, 2) == 0);
	CHECK(expo_add_double(b, la, 1, 1.0) == 0);
	CHECK(expo_add_u64(a, NULL, 0, 3) == 0);
	CHECK(samples_of(e) == 5);
	s = render(e);
	CHECK_STR_EQ(s, "# HELP a_total A.\n"
			"# TYPE a_total counter\n"
			"a_total{x=\"1\",y=\"2\"} 1\n"
			"a_total{x=\"1\"} 2\n"
			"a_total 3\n"
			"# HELP b B.\n"
			"# TYPE b gauge\n"
			"b 0.5\n"
			"b{x=\"1\"} 1\n");
	CHECK(count_of(s, "# HELP") == 2);
	CHECK(count_of(s, "# TYPE") == 2);
	free(s);
	expo_free(e);
}

static void test_redeclare(void)
{
	struct expo *e = expo_new();
	struct expo_family *a = expo_family(e, "up", EXPO_GAUGE, "Up.");
	char *s;

	CHECK(a != NULL);
	CHECK(expo_family(e, "up", EXPO_GAUGE, "Other help.") == a);
	CHECK(expo_family(e, "up", EXPO_COUNTER, "Up.") == NULL);
	CHECK(expo_family(e, "x_total", EXPO_COUNTER, "X.") != NULL);
	CHECK(expo_family(e, "x_total", EXPO_GAUGE, "X.") == NULL);
	s = render(e);
	/* The first declaration's help wins, and the family is not repeated. */
	CHECK_STR_EQ(s, "# HELP up Up.\n# TYPE up gauge\n"
			"# HELP x_total X.\n# TYPE x_total counter\n");
	free(s);
	expo_free(e);
}

static void test_invalid_names(void)
{
	struct expo *e = expo_new();
	struct expo_family *f = expo_family(e, "ns:sub_metric", EXPO_GAUGE, "ok");
	struct expo_label bad_start[] = { { "1a", "v" } };
	struct expo_label bad_colon[] = { { "a:b", "v" } };
	struct expo_label bad_empty[] = { { "", "v" } };
	struct expo_label bad_dash[] = { { "a-b", "v" } };
	struct expo_label dup[] = { { "a", "1" }, { "a", "2" } };
	struct expo_label null_value[] = { { "a", NULL } };
	struct expo_label good[] = { { "_a9", "" } };
	char *s;

	CHECK(f != NULL);
	CHECK(expo_family(e, "", EXPO_GAUGE, "h") == NULL);
	CHECK(expo_family(e, "9lives", EXPO_GAUGE, "h") == NULL);
	CHECK(expo_family(e, "has space", EXPO_GAUGE, "h") == NULL);
	CHECK(expo_family(e, "dash-ed", EXPO_GAUGE, "h") == NULL);
	CHECK(expo_family(e, "caf\xc3\xa9", EXPO_GAUGE, "h") == NULL);
	CHECK(expo_family(e, NULL, EXPO_GAUGE, "h") == NULL);
	CHECK(expo_family(e, "drops", EXPO_COUNTER, "h") == NULL);
	CHECK(expo_family(e, "drops_totals", EXPO_COUNTER, "h") == NULL);
	CHECK(expo_family(e, ":colon_first", EXPO_GAUGE, "h") != NULL);

	CHECK(expo_add_u64(f, bad_start, 1, 1) == -EINVAL);
	CHECK(expo_add_u64(f, bad_colon, 1, 1) == -EINVAL);
	CHECK(expo_add_u64(f, bad_empty, 1, 1) == -EINVAL);
	CHECK(expo_add_u64(f, bad_dash, 1, 1) == -EINVAL);
	CHECK(expo_add_u64(f, dup, 2, 1) == -EINVAL);
	CHECK(expo_add_u64(f, null_value, 1, 1) == -EINVAL);
	CHECK(expo_add_u64(NULL, NULL, 0, 1) == -EINVAL);
	CHECK(expo_add_u64(f, good, 1, 1) == 0);
	CHECK(samples_of(e) == 1);
	s = render(e);
	/* Rejected samples leave no partial line behind. */
	CHECK_STR_EQ(s, "# HELP ns:sub_metric ok\n# TYPE ns:sub_metric gauge\n"
			"ns:sub_metric{_a9=\"\"} 1\n"
			"# HELP :colon_first h\n# TYPE :colon_first gauge\n");
	free(s);
	expo_free(e);
}

static void check_double(double v, const char *want)
{
	struct expo *e = expo_new();
	struct expo_family *g = expo_family(e, "v", EXPO_GAUGE, "");
	char line[64];
	char *s;

	CHECK(expo_add_double(g, NULL, 0, v) == 0);
	s = render(e);
	snprintf(line, sizeof(line), "\nv %s\n", want);
	CHECK_CONTAINS(s, line);
	free(s);
	expo_free(e);
}

static void test_values(void)
{
	struct expo *e = expo_new();
	struct expo_family *f = expo_family(e, "n_total", EXPO_COUNTER, "");
	char *s;

	CHECK(expo_add_u64(f, NULL, 0, 0) == 0);
	CHECK(expo_add_u64(f, NULL, 0, UINT64_MAX) == 0);
	s = render(e);
	CHECK_CONTAINS(s, "\nn_total 0\n");
	CHECK_CONTAINS(s, "\nn_total 18446744073709551615\n");
	free(s);
	expo_free(e);

	check_double(NAN, "NaN");
	check_double(-NAN, "NaN");
	check_double(INFINITY, "+Inf");
	check_double(-INFINITY, "-Inf");
	check_double(1.0, "1");
	check_double(-3.0, "-3");
	check_double(0.0, "0");
	check_double(0.5, "0.5");
	check_double(1e18, "1000000000000000000");
	check_double(1e300, "1.0000000000000001e+300");
	check_double(0.1, "0.10000000000000001");
	check_double(1.5e-7, "1.4999999999999999e-07");
}

static void test_zero_labels_and_empty(void)
{
	struct expo *e = expo_new();
	char *s = render(e);

	CHECK_STR_EQ(s, "");
	free(s);
	CHECK(expo_add_u64(expo_family(e, "plain", EXPO_GAUGE, "P."), NULL, 0, 42) == 0);
	s = render(e);
	CHECK_STR_EQ(s, "# HELP plain P.\n# TYPE plain gauge\nplain 42\n");
	free(s);
	expo_free(e);
	expo_free(NULL);
}

static char reasons[10000][32];
static char ports[10000][12];

/* Builds and renders 10k samples, half of them doubles. */
static void test_many_samples(void)
{
	struct expo *e = expo_new();
	struct expo_family *c, *g;
	size_t len = 0;
	char *s;
	int i, bad = 0;

	for (i = 0; i < 10000; i++) {
		snprintf(reasons[i], sizeof(reasons[i]), "REASON_%d", i);
		snprintf(ports[i], sizeof(ports[i]), "%d", i);
	}
	c = expo_family(e, "skbtrace_drops_total", EXPO_COUNTER, "Drops.");
	g = expo_family(e, "skbtrace_rate", EXPO_GAUGE, "Rate.");
	for (i = 0; i < 10000; i++) {
		struct expo_label l[] = { { "probe", "drop" },
					  { "reason", reasons[i] },
					  { "port", ports[i] } };

		if (i % 2)
			bad |= expo_add_u64(c, l, 3, (uint64_t)i * 1000003);
		else
			bad |= expo_add_double(g, l, 3, i / 7.0);
	}
	s = expo_render(e, &len);
	CHECK(!bad);
	CHECK(s != NULL);
	CHECK(samples_of(e) == 10000);
	CHECK(s && count_of(s, "\n") == 10000 + 4);
	CHECK(s && count_of(s, "# HELP") == 2);
	CHECK_CONTAINS(s, "\nskbtrace_drops_total{probe=\"drop\",reason=\"REASON_9999\","
			  "port=\"9999\"} 9999029997\n");
	free(s);
	expo_free(e);
}

static bool have_promtool(void)
{
	return system("command -v promtool >/dev/null 2>&1") == 0;
}

/* promtool also lints (naming, _total, help), so it catches more than syntax. */
static void test_promtool(void)
{
	struct expo *e = expo_new();
	struct expo_family *c = expo_family(e, "skbtrace_drops_total", EXPO_COUNTER,
					    "Packets dropped, by \\reason\\\nsecond line.");
	struct expo_family *g = expo_family(e, "skbtrace_probe_up", EXPO_GAUGE, "Probe state.");
	struct expo_label l1[] = { { "probe", "drop" }, { "reason", "NO_\"SOCKET\"\n\\" } };
	struct expo_label l2[] = { { "probe", "drop" }, { "reason", "TCP_CSUM" } };
	char out_path[] = "/tmp/test_expo.XXXXXX";
	char buf[4096] = "";
	size_t len = 0, n;
	FILE *p, *out;
	char cmd[128];
	char *s;
	int fd, status;

	if (!have_promtool()) {
		check_skip("promtool not found: no promtool check");
		expo_free(e);
		return;
	}
	CHECK(expo_add_u64(c, l1, 2, 3) == 0);
	CHECK(expo_add_double(g, l2, 1, NAN) == 0);
	CHECK(expo_add_u64(c, l2, 2, 5) == 0);
	CHECK(expo_add_double(g, NULL, 0, INFINITY) == 0);
	s = expo_render(e, &len);
	CHECK(s != NULL);

	fd = mkstemp(out_path);
	CHECK(fd >= 0);
	if (!s || fd < 0)
		goto out;
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics >%s 2>&1", out_path);
	p = popen(cmd, "w");
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK(fwrite(s, 1, len, p) == len);
	status = pclose(p);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	out = fopen(out_path, "r");
	CHECK(out != NULL);
	if (out) {
		n = fread(buf, 1, sizeof(buf) - 1, out);
		buf[n] = '\0';
		fclose(out);
	}
	if (*buf)
		fprintf(stderr, "promtool said:\n%s\non input:\n%s", buf, s);
	CHECK(*buf == '\0');
out:
	unlink(out_path);
	free(s);
	expo_free(e);
}

struct tapped {
	char seen[256];
	int calls;
};

static int tap(void *ctx, const char *family, const struct expo_label *l, size_t n, uint64_t value)
{
	struct tapped *t = ctx;
	size_t off = strlen(t->seen);

	t->calls++;
	off += snprintf(t->seen + off, sizeof(t->seen) - off, "%s", family);
	for (size_t i = 0; i < n; i++)
		off += snprintf(t->seen + off, sizeof(t->seen) - off, " %s=%s", l[i].name,
				l[i].value);
	snprintf(t->seen + off, sizeof(t->seen) - off, " %llu;", (unsigned long long)value);
	return value == 13 ? -ENOSPC : 0;
}

/* A tap sees each integer sample as given, its error is the add's, nothing is formatted. */
static void test_tap(void)
{
	struct expo *e = expo_new();
	struct tapped t = { "", 0 };
	struct expo_family *f;
	size_t len;
	char *out;

	expo_set_tap(e, tap, &t);
	f = expo_family(e, "x_total", EXPO_COUNTER, "X.");
	CHECK(expo_add_u64(f, (struct expo_label[]){ { "reason", "a\"b\n" } }, 1, 7) == 0);
	CHECK(expo_add_u64(f, NULL, 0, 13) == -ENOSPC);
	/* Invalid labels are refused before the tap sees them. */
	CHECK(expo_add_u64(f, (struct expo_label[]){ { "9bad", "v" } }, 1, 1) == -EINVAL);
	CHECK_STR_EQ(t.seen, "x_total reason=a\"b\n 7;x_total 13;");
	CHECK(t.calls == 2);
	out = expo_render(e, &len);
	CHECK_STR_EQ(out, "# HELP x_total X.\n# TYPE x_total counter\n");
	free(out);
	expo_free(e);
}

/* Adds 100 to the series x_total{reason="a"} only, as a reload carry would. */
static void carry_a(struct expo_sample *s, void *ctx)
{
	static const char key[] = "x_total{reason=\"a\"}";

	(void)ctx;
	if (s->series_len == sizeof(key) - 1 && !memcmp(s->series, key, s->series_len))
		s->u += 100;
}

/* A tap sees counters after the counter hook, as /metrics does; gauges are not hooked. */
static void test_tap_after_hook(void)
{
	struct expo *e = expo_new();
	struct tapped t = { "", 0 };
	struct expo_family *c, *g;

	expo_set_tap(e, tap, &t);
	expo_set_counter_hook(e, carry_a, NULL);
	c = expo_family(e, "x_total", EXPO_COUNTER, "X.");
	g = expo_family(e, "x", EXPO_GAUGE, "X.");
	CHECK(!expo_add_u64(c, (struct expo_label[]){ { "reason", "a" } }, 1, 1));
	CHECK(!expo_add_u64(c, (struct expo_label[]){ { "reason", "b" } }, 1, 2));
	CHECK(!expo_add_u64(g, (struct expo_label[]){ { "reason", "a" } }, 1, 3));
	CHECK_STR_EQ(t.seen, "x_total reason=a 101;x_total reason=b 2;x reason=a 3;");
	CHECK(t.calls == 3); /* every sample went to the tap, none rendered */
	expo_free(e);
}

int main(void)
{
	test_tap();
	test_tap_after_hook();
	test_escaping();
	test_grouping();
	test_redeclare();
	test_invalid_names();
	test_values();
	test_zero_labels_and_empty();
	test_many_samples();
	test_promtool();
	return check_summary("test_expo");
}
