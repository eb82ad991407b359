// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "daemon.h"
#include "drop_view.h"
#include "expo.h"
#include "flamegraph.h"
#include "stacks.h"

static const char *label(const struct expo_label *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(l[i].name, name))
			return l[i].value;
	}
	return NULL;
}

static struct view_probe *probe_named(struct drop_view *v, const char *name)
{
	struct view_probe *p = v->probes.v;

	for (size_t i = 0; i < v->probes.n; i++) {
		if (!strcmp(p[i].probe, name))
			return &p[i];
	}
	p = rows_push(&v->probes);
	if (!p)
		return NULL;
	p->probe = strdup(name);
	p->method = strdup("none");
	return p->probe && p->method ? p : NULL;
}

static int add_count(struct rows *r, const char *reason, const char *key, uint64_t count)
{
	struct view_count *c;

	if (!reason || !key)
		return 0;
	c = rows_push(r);
	if (!c)
		return -ENOMEM;
	c->reason = strdup(reason);
	c->key = strdup(key);
	c->count = count;
	return c->reason && c->key ? 0 : -ENOMEM;
}

static int tap(void *ctx, const char *family, const struct expo_label *l, size_t n, uint64_t value)
{
	struct drop_view *v = ctx;
	const char *probe = label(l, n, "probe");
	struct view_probe *p;

	if (!strcmp(family, "skbtrace_drops_total"))
		return add_count(&v->drops, label(l, n, "reason"), label(l, n, "netns"), value);
	if (!strcmp(family, "skbtrace_drop_stacks_total"))
		return add_count(&v->stacks, label(l, n, "reason"), label(l, n, "stack"), value);
	if (!probe ||
	    (strcmp(family, "skbtrace_probe_enabled") && strcmp(family, "skbtrace_probe_attached")))
		return 0;
	p = probe_named(v, probe);
	if (!p)
		return -ENOMEM;
	if (!strcmp(family, "skbtrace_probe_enabled")) {
		p->enabled = value;
		return 0;
	}
	p->attached = value;
	free(p->method);
	p->method = strdup(label(l, n, "method") ?: "none");
	return p->method ? 0 : -ENOMEM;
}

int drop_view_collect(struct daemon *d, struct drop_view *v)
{
	struct expo *e = expo_new();
	int err;

	memset(v, 0, sizeof(*v));
	v->probes.size = sizeof(struct view_probe);
	v->drops.size = v->stacks.size = sizeof(struct view_count);
	if (!e)
		return -ENOMEM;
	expo_set_tap(e, tap, v);
	err = daemon_collect(d, e, NULL, NULL);
	expo_free(e);
	if (err)
		drop_view_free(v);
	return err < 0 ? err : 0;
}

static void counts_free(struct rows *r)
{
	struct view_count *c = r->v;

	for (size_t i = 0; i < r->n; i++) {
		free(c[i].reason);
		free(c[i].key);
	}
	rows_free(r);
}

void drop_view_free(struct drop_view *v)
{
	struct view_probe *p = v->probes.v;

	for (size_t i = 0; i < v->probes.n; i++) {
		free(p[i].probe);
		free(p[i].method);
	}
	rows_free(&v->probes);
	counts_free(&v->drops);
	counts_free(&v->stacks);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct view_total *)a)->key, ((const struct view_total *)b)->key);
}

static int cmp_count(const void *a, const void *b)
{
	const struct view_total *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Sums rows by the chosen label, skipping rows of other reasons when reason is set. */
static long totals(const struct rows *r, bool by_reason, const char *reason,
		   struct view_total **out)
{
	const struct view_count *c = r->v;
	struct view_total *t = malloc((r->n ? r->n : 1) * sizeof(*t));
	size_t n = 0, m = 0;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		if (reason && strcmp(c[i].reason, reason))
			continue;
		t[n].key = by_reason ? c[i].reason : c[i].key;
		t[n++].count = c[i].count;
	}
	if (n)
		qsort(t, n, sizeof(*t), cmp_key);
	for (size_t i = 0; i < n; i++) {
		if (m && !strcmp(t[m - 1].key, t[i].key))
			t[m - 1].count += t[i].count;
		else
			t[m++] = t[i];
	}
	if (m)
		qsort(t, m, sizeof(*t), cmp_count);
	*out = t;
	return m;
}

long drop_view_totals(const struct drop_view *v, bool by_reason, struct view_total **out)
{
	return totals(&v->drops, by_reason, NULL, out);
}

int drop_view_flamegraph(const struct drop_view *v, struct daemon *d, const char *reason,
			 bool standalone, FILE *f)
{
	static const char *const no_frames[] = { "[stack not captured]" };
	struct flame_opts o = { .unit = "drops", .standalone = standalone };
	struct flame_stack *fs;
	struct view_total *t;
	char title[160], empty[160];
	long n = totals(&v->stacks, false, reason, &t);
	int err;

	if (n < 0)
		return n;
	fs = calloc(n ? n : 1, sizeof(*fs));
	if (!fs) {
		free(t);
		return -ENOMEM;
	}
	for (long i = 0; i < n; i++) {
		fs[i].frames = stack_table_frames(d->stacks, t[i].key, &fs[i].n_frames);
		if (!fs[i].frames) {
			fs[i].frames = no_frames;
			fs[i].n_frames = 1;
		}
		fs[i].count = t[i].count;
	}
	snprintf(title, sizeof(title), "Kernel stacks of packet drops, %s%s",
		 reason ? "reason " : "all reasons", reason ?: "");
	snprintf(empty, sizeof(empty), "No drop stack%s%s captured since start",
		 reason ? " with reason " : "", reason ?: "");
	o.title = title;
	o.empty = empty;
	err = flame_svg_write(f, fs, n, &o);
	free(fs);
	free(t);
	return err ?: (reason && !n ? -ENOENT : 0);
}
