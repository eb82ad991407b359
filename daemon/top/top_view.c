// SPDX-License-Identifier: GPL-2.0
/*
 * Rows of both scrapes are built the same way, sorted by their fields and
 * merged, so a rate is the difference of the same series' sums, found by
 * binary search; a counter lower than before (the daemon restarted) counts
 * from zero.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "top_view.h"

struct section {
	const char *family;
	const char *labels[TOP_ROW_FIELDS]; /* NULL: a constant in fixed[] */
	const char *fixed[TOP_ROW_FIELDS];
};

static const struct section drop_sections[] = {
	{ "skbtrace_drops_total", { "reason", "location", "netns" } },
};
static const struct section stack_sections[] = {
	{ "skbtrace_drop_stacks_total", { NULL, "reason", "netns", "stack" }, { "drop" } },
	{ "skbtrace_tcp_reset_stacks_total", { NULL, "origin", "netns", "stack" }, { "reset" } },
	{ "skbtrace_conntrack_table_full_drop_stacks_total",
	  { NULL, NULL, "netns", "stack" },
	  { "conntrack", "TABLE_FULL" } },
};
static const struct section reset_sections[] = {
	{ "skbtrace_tcp_resets_total", { "direction", "origin", "reason", "netns", NULL } },
	{ "skbtrace_tcp_listen_overflows_total",
	  { NULL, NULL, NULL, "netns", "port" },
	  { "sent", "listen_overflow", "ACCEPT_QUEUE_FULL" } },
};

static int field_cmp(const struct top_row *a, const struct top_row *b)
{
	for (int i = 0; i < TOP_ROW_FIELDS; i++) {
		int c = strcmp(a->f[i] ? a->f[i] : "", b->f[i] ? b->f[i] : "");

		if (c)
			return c;
	}
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	return field_cmp(a, b);
}

static int rows_from(const struct top_scrape *s, const struct section *secs, size_t n_secs,
		     struct top_rows *out)
{
	size_t n = 0, w = 0;

	out->r = NULL;
	out->n = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < n_secs; k++)
			n += !strcmp(s->samples[i].name, secs[k].family);
	if (!n)
		return 0;
	out->r = calloc(n, sizeof(*out->r));
	if (!out->r)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct top_sample *smp = &s->samples[i];

		for (size_t k = 0; k < n_secs; k++) {
			struct top_row *r = &out->r[out->n];

			if (strcmp(smp->name, secs[k].family))
				continue;
			for (int f = 0; f < TOP_ROW_FIELDS; f++) {
				r->f[f] = secs[k].fixed[f];
				if (secs[k].labels[f] &&
				    !(r->f[f] = top_label_get(smp, secs[k].labels[f])))
					r->f[f] = "";
			}
			r->total = smp->value;
			out->n++;
		}
	}
	qsort(out->r, out->n, sizeof(*out->r), row_cmp);
	for (size_t i = 0; i < out->n; i++) {
		if (w && !field_cmp(&out->r[w - 1], &out->r[i]))
			out->r[w - 1].total += out->r[i].total;
		else
			out->r[w++] = out->r[i];
	}
	out->n = w;
	return 0;
}

static int by_rate(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;

	if (a->rate != b->rate)
		return a->rate < b->rate ? 1 : -1;
	if (a->total != b->total)
		return a->total < b->total ? 1 : -1;
	return field_cmp(a, b);
}

static int section_build(const struct top_scrape *cur, const struct top_scrape *prev,
			 double interval_s, const struct section *secs, size_t n_secs,
			 struct top_rows *out)
{
	struct top_rows old = {};
	int ret = rows_from(cur, secs, n_secs, out);

	if (!ret && prev)
		ret = rows_from(prev, secs, n_secs, &old);
	if (ret) {
		free(out->r);
		out->r = NULL;
		return ret;
	}
	for (size_t i = 0; i < out->n; i++) {
		struct top_row *r = &out->r[i];
		const struct top_row *o =
			old.n ? bsearch(r, old.r, old.n, sizeof(*r), row_cmp) : NULL;
		double delta = o && r->total >= o->total ? r->total - o->total : r->total;

		/* Without a previous scrape, rates order by total. */
		r->rate = prev && interval_s > 0 ? delta / interval_s : r->total;
	}
	free(old.r);
	if (out->n)
		qsort(out->r, out->n, sizeof(*out->r), by_rate);
	return 0;
}

static double fill(const struct top_conntrack *c)
{
	return c->limit > 0 ? c->entries / c->limit : 0;
}

static int by_fill(const void *pa, const void *pb)
{
	double a = fill(pa), b = fill(pb);

	if (a != b)
		return a < b ? 1 : -1;
	return strcmp(((const struct top_conntrack *)pa)->netns,
		      ((const struct top_conntrack *)pb)->netns);
}

static int conntrack_build(struct top_view *v, const struct top_scrape *s)
{
	for (size_t i = 0; i < s->n; i++)
		v->n_conntrack += !strcmp(s->samples[i].name, "skbtrace_conntrack_entries");
	if (!v->n_conntrack)
		return 0;
	v->conntrack = calloc(v->n_conntrack, sizeof(*v->conntrack));
	if (!v->conntrack)
		return -ENOMEM;
	v->n_conntrack = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct top_sample *e = &s->samples[i];
		const char *ns = top_label_get(e, "netns");

		if (strcmp(e->name, "skbtrace_conntrack_entries") || !ns)
			continue;
		v->conntrack[v->n_conntrack].netns = ns;
		v->conntrack[v->n_conntrack].entries = e->value;
		for (size_t j = 0; j < s->n; j++) {
			const char *lns = top_label_get(&s->samples[j], "netns");

			if (lns && !strcmp(lns, ns) &&
			    !strcmp(s->samples[j].name, "skbtrace_conntrack_entries_limit"))
				v->conntrack[v->n_conntrack].limit = s->samples[j].value;
		}
		v->n_conntrack++;
	}
	qsort(v->conntrack, v->n_conntrack, sizeof(*v->conntrack), by_fill);
	return 0;
}

static struct top_probe *probe_get(struct top_view *v, const char *name, size_t cap)
{
	for (size_t i = 0; i < v->n_probes; i++)
		if (!strcmp(v->probes[i].name, name))
			return &v->probes[i];
	if (v->n_probes == cap)
		return NULL;
	v->probes[v->n_probes].name = name;
	return &v->probes[v->n_probes++];
}

static int probes_build(struct top_view *v, const struct top_scrape *s)
{
	size_t cap = 0;

	for (size_t i = 0; i < s->n; i++)
		cap += !strncmp(s->samples[i].name, "skbtrace_", 9) &&
		       top_label_get(&s->samples[i], "probe");
	if (!cap)
		return 0;
	v->probes = calloc(cap, sizeof(*v->probes));
	if (!v->probes)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct top_sample *smp = &s->samples[i];
		const char *name = top_label_get(smp, "probe"), *res;
		struct top_probe *p;

		/* The dispatcher's program statistics are no probe of the config. */
		if (!name || strncmp(smp->name, "skbtrace_", 9) ||
		    !strncmp(smp->name, "skbtrace_bpf_program_", 21))
			continue;
		p = probe_get(v, name, cap);
		if (!p)
			continue;
		if (!strcmp(smp->name, "skbtrace_probe_enabled"))
			p->enabled = smp->value == 1;
		else if (!strcmp(smp->name, "skbtrace_probe_attach_failed"))
			p->attach_failed = smp->value == 1;
		else if (!strcmp(smp->name, "skbtrace_probe_attached") && smp->value == 1)
			p->method = top_label_get(smp, "method");
		else if (!strcmp(smp->name, "skbtrace_map_overflow_events_total"))
			p->overflows += smp->value;
		else if (!strcmp(smp->name, "skbtrace_stack_events_total") &&
			 (res = top_label_get(smp, "result")) && !strcmp(res, "lost"))
			p->stacks_lost += smp->value;
	}
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int top_view_build(struct top_view *v, const struct top_scrape *cur, const struct top_scrape *prev,
		   double interval_s)
{
	int ret;

	memset(v, 0, sizeof(*v));
	v->cur = cur;
	v->has_rates = prev != NULL;
	v->interval_s = interval_s;
	ret = section_build(cur, prev, interval_s, drop_sections, N(drop_sections), &v->drops);
	if (!ret)
		ret = section_build(cur, prev, interval_s, stack_sections, N(stack_sections),
				    &v->stacks);
	if (!ret)
		ret = section_build(cur, prev, interval_s, reset_sections, N(reset_sections),
				    &v->resets);
	if (!ret)
		ret = conntrack_build(v, cur);
	if (!ret)
		ret = probes_build(v, cur);
	if (ret)
		top_view_free(v);
	return ret;
}

void top_view_free(struct top_view *v)
{
	free(v->drops.r);
	free(v->stacks.r);
	free(v->resets.r);
	free(v->conntrack);
	free(v->probes);
	memset(v, 0, sizeof(*v));
}

static const struct top_sample *find(const struct top_scrape *s, const char *family,
				     const char *label, const char *value)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const char *l;

		if (strcmp(s->samples[i].name, family))
			continue;
		l = top_label_get(&s->samples[i], label);
		if (l && !strcmp(l, value))
			return &s->samples[i];
	}
	return NULL;
}

const char *top_view_netns(const struct top_view *v, const char *netns)
{
	const struct top_sample *s = find(v->cur, "skbtrace_netns_info", "netns", netns);
	const char *name = s ? top_label_get(s, "name") : NULL;

	return name && *name ? name : netns;
}

size_t top_view_frames(const struct top_view *v, const char *stack, char *buf, size_t bufsize,
		       const char **frames, size_t max)
{
	const struct top_sample *s = find(v->cur, "skbtrace_stack_info", "stack", stack);
	const char *folded = s ? top_label_get(s, "frames") : NULL;
	size_t n = 0, len;
	char *p;

	if (!folded || !*folded || !bufsize)
		return 0;
	len = strlen(folded);
	if (len >= bufsize)
		len = bufsize - 1;
	memcpy(buf, folded, len);
	buf[len] = '\0';
	/* Folded order is outermost first: walk it from the end. */
	for (p = buf + len;;) {
		char *semi;

		*p = '\0';
		semi = p;
		while (semi > buf && semi[-1] != ';')
			semi--;
		if (n < max)
			frames[n] = semi;
		n++;
		if (semi == buf)
			break;
		p = semi - 1;
	}
	return n;
}
