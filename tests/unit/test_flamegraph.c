// SPDX-License-Identifier: GPL-2.0
/* The flame graph's SVG for known stacks: exact geometry, titles, escaping, bounds. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "flamegraph.h"

static char *render(const struct flame_stack *s, size_t n, const char *title, bool standalone)
{
	struct flame_opts o = { .title = title,
				.empty = "No <stacks> & \"nothing\"",
				.unit = "drops",
				.standalone = standalone };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK(f != NULL);
	CHECK(flame_svg_write(f, s, n, &o) == 0);
	fclose(f);
	return out;
}

/* The frame element whose title starts with `title`, up to its end. */
static char *frame(const char *svg, const char *title)
{
	char key[256];
	const char *p, *end;

	snprintf(key, sizeof(key), "<g><title>%s", title);
	p = strstr(svg, key);
	if (!p)
		return strdup("(missing)");
	end = strstr(p, "</g>");
	return strndup(p, end - p + 4);
}

#define CHECK_FRAME(svg, title, geometry)                                                          \
	do {                                                                                       \
		char *fr = frame(svg, title);                                                      \
		CHECK_CONTAINS(fr, geometry);                                                      \
		free(fr);                                                                          \
	} while (0)

/* Innermost first, as the stack table keeps them; offsets differ but functions merge. */
static const char *const deep[] = { "c_leaf+10", "b_mid+5", "a_root+1" };
static const char *const odd[] = { "d<&\"x+2", "a_root+7" };

static void test_geometry_and_titles(void)
{
	const struct flame_stack s[] = { { deep, 3, 3 }, { odd, 2, 1 } };
	char *svg = render(s, 2, "drops & <friends>", true);

	CHECK(!strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44));
	/* 1200 px wide, a 10 px margin each side: 1180 px for 4 drops; icicle, 16 px rows from 44. */
	CHECK_FRAME(svg, "all: 4 drops, 100.00%</title>",
		    "<svg x=\"10.00\" y=\"44\" width=\"1180.00\" height=\"15\">");
	CHECK_FRAME(svg, "a_root: 4 drops, 100.00%</title>",
		    "<svg x=\"10.00\" y=\"60\" width=\"1180.00\" height=\"15\">");
	CHECK_FRAME(svg, "b_mid: 3 drops, 75.00%</title>",
		    "<svg x=\"10.00\" y=\"76\" width=\"885.00\" height=\"15\">");
	CHECK_FRAME(svg, "c_leaf: 3 drops, 75.00%</title>",
		    "<svg x=\"10.00\" y=\"92\" width=\"885.00\" height=\"15\">");
	/* Siblings in name order: b_mid, then the odd one to its right. */
	CHECK_FRAME(svg, "d&lt;&amp;&quot;x: 1 drops, 25.00%</title>",
		    "<svg x=\"895.00\" y=\"76\" width=\"295.00\" height=\"15\">");
	CHECK_FRAME(svg, "d&lt;&amp;&quot;x:", "<text x=\"3\" y=\"11\">d&lt;&amp;&quot;x</text>");
	CHECK(!strstr(svg, "d<&"));
	CHECK_CONTAINS(svg, ">drops &amp; &lt;friends&gt;</text>");
	CHECK_CONTAINS(svg, "4 drops in 2 stacks; 5 frames drawn, 0 narrower");
	/* Four rows of frames under the 44 px header, and a margin: 44 + 4 * 16 + 10. */
	CHECK_CONTAINS(svg, "width=\"1200\" height=\"118\" viewBox=\"0 0 1200 118\"");
	free(svg);
}

static void test_colours_deterministic(void)
{
	const struct flame_stack a[] = { { deep, 3, 3 } }, b[] = { { odd, 2, 9 }, { deep, 3, 1 } };
	char *x = render(a, 1, "a", false), *y = render(b, 2, "b", false);
	char *fx = frame(x, "c_leaf:"), *fy = frame(y, "c_leaf:");
	const char *cx = strstr(fx, "fill=\""), *cy = strstr(fy, "fill=\"");

	CHECK(cx && cy);
	if (cx && cy)
		CHECK(!strncmp(cx, cy, strcspn(cx, "/")));
	CHECK(strncmp(x, "<?xml", 5) != 0);
	free(fx);
	free(fy);
	free(x);
	free(y);
}

static void test_narrow_frames_left_out(void)
{
	static const char *const big[] = { "hot+1", "main+1" }, *const tiny[] = { "cold+1",
										  "main+1" };
	const struct flame_stack s[] = { { big, 2, 2000 }, { tiny, 2, 1 } };
	char *svg = render(s, 2, "t", true);

	/* 1 of 2001 is narrower than 0.1%: left out, and said so. */
	CHECK(!strstr(svg, "cold"));
	CHECK_FRAME(svg, "hot: 2000 drops, 99.95%</title>", "width=\"1179.41\"");
	CHECK_CONTAINS(svg, "3 frames drawn, 1 narrower than 0.1%");
	free(svg);
}

static void test_empty(void)
{
	char *svg = render(NULL, 0, "none", true);

	CHECK_CONTAINS(svg, ">No &lt;stacks&gt; &amp; &quot;nothing&quot;</text>");
	CHECK(!strstr(svg, "<g>"));
	free(svg);
}

int main(void)
{
	test_geometry_and_titles();
	test_colours_deterministic();
	test_narrow_frames_left_out();
	test_empty();
	return check_summary("test_flamegraph");
}
