// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "flamegraph.h"
#include "hash.h"
#include "markup.h"
#include "rows.h"

#define NONE SIZE_MAX
#define INNER_WIDTH (FLAME_WIDTH - 2 * FLAME_MARGIN)
/* Narrower frames get no label: not even two characters would fit. */
#define MIN_LABEL_PX 20

struct node {
	const char *name; /* not NUL-terminated at name_len: frames carry "+offset" */
	size_t name_len;
	uint64_t count;
	size_t child, sibling;
};

struct flame {
	struct rows nodes; /* struct node, [0] is the root */
	uint64_t total;
	size_t drawn, omitted, max_depth;
	FILE *f;
	const struct flame_opts *o;
};

static size_t function_len(const char *frame)
{
	const char *plus = strchr(frame, '+');

	return plus ? (size_t)(plus - frame) : strlen(frame);
}

static struct node *node_at(struct flame *fl, size_t i)
{
	return (struct node *)fl->nodes.v + i;
}

static size_t child_named(struct flame *fl, size_t parent, const char *name, size_t len)
{
	struct node *n;
	size_t i;

	for (i = node_at(fl, parent)->child; i != NONE; i = node_at(fl, i)->sibling) {
		n = node_at(fl, i);
		if (n->name_len == len && !memcmp(n->name, name, len))
			return i;
	}
	n = rows_push(&fl->nodes);
	if (!n)
		return NONE;
	i = fl->nodes.n - 1;
	n->name = name;
	n->name_len = len;
	n->child = NONE;
	n->sibling = node_at(fl, parent)->child;
	node_at(fl, parent)->child = i;
	return i;
}

static int add_stack(struct flame *fl, const struct flame_stack *s)
{
	size_t cur = 0;

	node_at(fl, 0)->count += s->count;
	for (size_t i = s->n_frames; i-- > 0;) {
		cur = child_named(fl, cur, s->frames[i], function_len(s->frames[i]));
		if (cur == NONE)
			return -ENOMEM;
		node_at(fl, cur)->count += s->count;
	}
	return 0;
}

static uint32_t name_hash(const char *s, size_t len)
{
	return fnv1a32(FNV1A32_INIT, s, len);
}

static void put_name(FILE *f, const struct node *n)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%.*s", (int)n->name_len, n->name);
	markup_escape(f, buf);
}

static void draw_frame(struct flame *fl, const struct node *n, uint64_t offset, size_t depth)
{
	double x = FLAME_MARGIN + (double)offset * INNER_WIDTH / fl->total;
	double w = (double)n->count * INNER_WIDTH / fl->total;
	uint32_t h = name_hash(n->name, n->name_len);
	FILE *f = fl->f;

	fputs("<g><title>", f);
	put_name(f, n);
	fprintf(f, ": %" PRIu64 " ", n->count);
	markup_escape(f, fl->o->unit);
	fprintf(f, ", %.2f%%</title>", 100.0 * n->count / fl->total);
	/* A nested svg clips its content: a label never runs past its frame. */
	fprintf(f,
		"<svg x=\"%.2f\" y=\"%zu\" width=\"%.2f\" height=\"%d\">"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"rgb(%u,%u,%u)\"/>",
		x, FLAME_HEADER + depth * FLAME_FRAME_HEIGHT, w, FLAME_FRAME_HEIGHT - 1,
		205 + h % 50, (h >> 8) % 230, (h >> 16) % 55);
	if (w >= MIN_LABEL_PX) {
		fputs("<text x=\"3\" y=\"11\">", f);
		put_name(f, n);
		fputs("</text>", f);
	}
	fputs("</svg></g>\n", f);
}

static int cmp_child(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	size_t len = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, len);

	return c ?: (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static bool too_narrow(const struct flame *fl, const struct node *n)
{
	return (unsigned __int128)n->count * 1000 <
	       (unsigned __int128)fl->total * FLAME_MIN_PERMILLE;
}

/* Depth first, each node's children in name order from its left edge. */
static int draw(struct flame *fl, size_t i, uint64_t offset, size_t depth)
{
	struct node *n = node_at(fl, i), **kids;
	size_t n_kids = 0, k;
	int err = 0;

	if (too_narrow(fl, n) || fl->drawn == FLAME_MAX_FRAMES) {
		fl->omitted++;
		return 0;
	}
	draw_frame(fl, n, offset, depth);
	fl->drawn++;
	if (depth > fl->max_depth)
		fl->max_depth = depth;
	for (k = n->child; k != NONE; k = node_at(fl, k)->sibling)
		n_kids++;
	if (!n_kids)
		return 0;
	kids = malloc(n_kids * sizeof(*kids));
	if (!kids)
		return -ENOMEM;
	n_kids = 0;
	for (k = n->child; k != NONE; k = node_at(fl, k)->sibling)
		kids[n_kids++] = node_at(fl, k);
	qsort(kids, n_kids, sizeof(*kids), cmp_child);
	for (k = 0; !err && k < n_kids; k++) {
		err = draw(fl, kids[k] - node_at(fl, 0), offset, depth + 1);
		offset += kids[k]->count;
	}
	free(kids);
	return err;
}

/* Frames are drawn first, to a scratch stream, because the height depends on them. */
static int draw_all(struct flame *fl, char **body, size_t *len)
{
	FILE *out = fl->f;
	int err;

	fl->f = open_memstream(body, len);
	if (!fl->f) {
		fl->f = out;
		return -ENOMEM;
	}
	err = draw(fl, 0, 0, 0);
	if (fclose(fl->f) && !err)
		err = -ENOMEM;
	fl->f = out;
	return err;
}

static void header(struct flame *fl, size_t height)
{
	FILE *f = fl->f;

	if (fl->o->standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
		"viewBox=\"0 0 %d %zu\" font-family=\"monospace\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f0\"/>\n"
		"<text x=\"%d\" y=\"18\" text-anchor=\"middle\" font-size=\"16\">",
		FLAME_WIDTH, height, FLAME_WIDTH, height, FLAME_WIDTH / 2);
	markup_escape(f, fl->o->title);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"36\" text-anchor=\"middle\" fill=\"#555\">",
		FLAME_WIDTH / 2);
}

int flame_svg_write(FILE *f, const struct flame_stack *stacks, size_t n, const struct flame_opts *o)
{
	struct flame fl = { .nodes = { .size = sizeof(struct node) }, .f = f, .o = o };
	char *body = NULL;
	size_t len = 0;
	int err = 0;

	if (!rows_push(&fl.nodes))
		return -ENOMEM;
	node_at(&fl, 0)->name = "all";
	node_at(&fl, 0)->name_len = 3;
	node_at(&fl, 0)->child = NONE;
	node_at(&fl, 0)->sibling = NONE;
	for (size_t i = 0; !err && i < n; i++)
		err = add_stack(&fl, &stacks[i]);
	fl.total = node_at(&fl, 0)->count;
	if (!err && fl.total)
		err = draw_all(&fl, &body, &len);
	if (!err) {
		header(&fl, FLAME_HEADER + (fl.total ? fl.max_depth + 1 : 1) * FLAME_FRAME_HEIGHT +
				    FLAME_MARGIN);
		if (!fl.total)
			markup_escape(f, o->empty);
		else
			fprintf(f,
				"%" PRIu64 " %s in %zu stacks; %zu frames drawn, %zu narrower "
				"than 0.%d%% or past %d left out",
				fl.total, o->unit, n, fl.drawn, fl.omitted, FLAME_MIN_PERMILLE,
				FLAME_MAX_FRAMES);
		fputs("</text>\n", f);
		if (body)
			fwrite(body, 1, len, f);
		fputs("</svg>\n", f);
	}
	free(body);
	rows_free(&fl.nodes);
	return err;
}
