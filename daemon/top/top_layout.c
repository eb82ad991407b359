// SPDX-License-Identifier: GPL-2.0
/*
 * On a bounded screen the small sections (probes, conntrack, resets) get a
 * few lines that grow with the height, drops the next share and stacks what
 * is left; a stack cut short keeps its innermost frames, where the packet
 * was freed.  Unbounded (plain) output shows more of every section.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "diagnosis.h"
#include "top_layout.h"

#define FRAMES_MAX 64
#define PLAIN_DROPS 15
#define PLAIN_STACKS 8
#define PLAIN_RESETS 10
#define PLAIN_CONNTRACK 10

struct ctx {
	const struct top_view *v;
	struct top_screen *s;
	bool plain;
	char clause[128];
};

/* Any double a body can carry: +Inf, and the NaN a rate between two of them is. */
static const char *num(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "NaN");
	else if (isinf(v))
		snprintf(buf, size, "%sInf", v > 0 ? "+" : "-");
	else if (v >= 1e7 || v <= -1e7)
		snprintf(buf, size, "%.1fM", v / 1e6);
	else if (v >= 100 || v <= -100 || v == (double)(long long)v)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.1f", v);
	return buf;
}

/* The table's causes are sentences: a screen shows their first clause, a snapshot all. */
static const char *cause(struct ctx *c, const struct hint *h)
{
	char *clause = c->clause;
	size_t n;

	if (!h || !h->cause)
		return "";
	if (c->plain)
		return h->cause;
	n = strcspn(h->cause, ":;(");
	if (n >= sizeof(c->clause))
		n = sizeof(c->clause) - 1;
	while (n && (h->cause[n - 1] == ' ' || h->cause[n - 1] == ',' || h->cause[n - 1] == '.'))
		n--;
	memcpy(clause, h->cause, n);
	clause[n] = '\0';
	return clause;
}

static const char *drop_hint(struct ctx *c, const struct top_row *r)
{
	const struct hint *h = hint_find(HINT_DROP_REASON, r->f[DROP_REASON]);

	return cause(c, h ? h : hint_find(HINT_DROP_LOCATION, r->f[DROP_LOCATION]));
}

static const char *reset_hint(struct ctx *c, const struct top_row *r)
{
	const struct hint *h = hint_find(HINT_RESET_REASON, r->f[RESET_REASON]);

	return cause(c, h ? h : hint_find(HINT_RESET_ORIGIN, r->f[RESET_ORIGIN]));
}

/* Table-full stacks have no key of the table: no hint rather than a guessed one. */
static const char *stack_hint(struct ctx *c, const struct top_row *r)
{
	if (!strcmp(r->f[STACK_KIND], "drop"))
		return cause(c, hint_find(HINT_DROP_REASON, r->f[STACK_WHAT]));
	if (!strcmp(r->f[STACK_KIND], "reset"))
		return cause(c, hint_find(HINT_RESET_ORIGIN, r->f[STACK_WHAT]));
	return "";
}

static int rate_or_total(const struct ctx *c, const struct top_row *r, char *buf, size_t size)
{
	num(buf, size, c->v->has_rates ? r->rate : r->total);
	return 0;
}

static int probes(struct ctx *c)
{
	char line[512] = "PROBES", n1[32], n2[32];
	size_t off = strlen(line);

	for (size_t i = 0; i < c->v->n_probes; i++) {
		const struct top_probe *p = &c->v->probes[i];
		const char *state = p->method	       ? p->method
				    : p->attach_failed ? "ATTACH FAILED"
				    : p->enabled       ? "detached"
						       : "off";

		off += snprintf(line + off, sizeof(line) - off, "%s %s %s", i ? "," : "", p->name,
				state);
		if (off < sizeof(line) && (p->overflows || p->stacks_lost))
			off += snprintf(line + off, sizeof(line) - off,
					" (overflows %s, stacks lost %s)",
					num(n1, sizeof(n1), p->overflows),
					num(n2, sizeof(n2), p->stacks_lost));
		if (off >= sizeof(line))
			break;
	}
	if (!c->v->n_probes)
		snprintf(line, sizeof(line), "PROBES none reported");
	return top_screen_add(c->s, "%s", line);
}

static int drops(struct ctx *c, size_t max)
{
	const struct top_rows *d = &c->v->drops;
	char a[32], b[32];
	int ret;

	if (!d->n)
		return top_screen_add(c->s, "DROPS none counted");
	if (c->plain)
		ret = top_screen_add(c->s, "%9s %11s  %-20s %-28s %-12s %s", "DROPS/s", "TOTAL",
				     "REASON", "LOCATION", "NETNS", "HINT");
	else
		ret = top_screen_add(c->s, "%8s %-18s %-24s %-12s %s",
				     c->v->has_rates ? "DROPS/s" : "DROPS", "REASON", "LOCATION",
				     "NETNS", "HINT");
	for (size_t i = 0; !ret && i < d->n && i < max; i++) {
		const struct top_row *r = &d->r[i];
		const char *ns = top_view_netns(c->v, r->f[DROP_NETNS]);

		rate_or_total(c, r, a, sizeof(a));
		if (c->plain)
			ret = top_screen_add(c->s, "%9s %11s  %-20s %-28s %-12s %s",
					     c->v->has_rates ? a : "-", num(b, sizeof(b), r->total),
					     r->f[DROP_REASON], r->f[DROP_LOCATION], ns,
					     drop_hint(c, r));
		else
			ret = top_screen_add(c->s, "%8s %-18.18s %-24.24s %-12.12s %s", a,
					     r->f[DROP_REASON], r->f[DROP_LOCATION], ns,
					     drop_hint(c, r));
	}
	return ret;
}

/* One stack as bpftrace prints @[kstack, reason]: count, in at most lines lines. */
static int stack(struct ctx *c, const struct top_row *r, int lines)
{
	char buf[8192], a[32], b[32];
	const char *frames[FRAMES_MAX];
	size_t n = top_view_frames(c->v, r->f[STACK_ID], buf, sizeof(buf), frames, FRAMES_MAX);
	size_t shown = n < FRAMES_MAX ? n : FRAMES_MAX;
	int ret = top_screen_add(c->s, "@[");

	/* The caller gives at least 4 lines: "@[", a frame, "...", the count. */
	if (lines >= 0 && shown + 2 > (size_t)lines)
		shown = lines - 3;
	for (size_t i = 0; !ret && i < shown; i++)
		ret = top_screen_add(c->s, "        %s", frames[i]);
	if (!ret && !n)
		ret = top_screen_add(c->s, "        (frames unknown: stack %s)", r->f[STACK_ID]);
	else if (!ret && shown < n)
		ret = top_screen_add(c->s, "        ... %zu more", n - shown);
	if (ret)
		return ret;
	num(b, sizeof(b), r->total);
	if (c->v->has_rates)
		return top_screen_add(c->s, ", %s, %s, netns %s]: %s  %s/s  %s", r->f[STACK_KIND],
				      r->f[STACK_WHAT], top_view_netns(c->v, r->f[STACK_NETNS]), b,
				      num(a, sizeof(a), r->rate), stack_hint(c, r));
	return top_screen_add(c->s, ", %s, %s, netns %s]: %s  %s", r->f[STACK_KIND],
			      r->f[STACK_WHAT], top_view_netns(c->v, r->f[STACK_NETNS]), b,
			      stack_hint(c, r));
}

static int stacks(struct ctx *c, int lines)
{
	const struct top_rows *st = &c->v->stacks;
	int ret;

	if (!st->n)
		return top_screen_add(c->s, "STACKS none captured");
	ret = top_screen_add(c->s, "STACKS by %s, innermost frame first",
			     c->v->has_rates ? "rate" : "count");
	lines--;
	for (size_t i = 0; !ret && i < st->n; i++) {
		size_t before = c->s->n;

		if (c->plain) {
			if (i == PLAIN_STACKS)
				break;
			ret = stack(c, &st->r[i], -1);
			continue;
		}
		if (lines < 4)
			break;
		ret = stack(c, &st->r[i], lines);
		lines -= (int)(c->s->n - before);
	}
	return ret;
}

static int resets(struct ctx *c, size_t max)
{
	const struct top_rows *rs = &c->v->resets;
	char a[32], b[32];
	int ret;

	if (!rs->n)
		return top_screen_add(c->s, "RESETS none counted");
	ret = top_screen_add(c->s, "%8s %-8s %-15s %-18s %-5s %-12s %s",
			     c->v->has_rates ? "RESETS/s" : "RESETS", "DIR", "ORIGIN", "REASON",
			     "PORT", "NETNS", c->plain ? "TOTAL  HINT" : "HINT");
	for (size_t i = 0; !ret && i < rs->n && i < max; i++) {
		const struct top_row *r = &rs->r[i];

		rate_or_total(c, r, a, sizeof(a));
		ret = top_screen_add(c->s, "%8s %-8.8s %-15.15s %-18.18s %-5.5s %-12.12s %s%s%s", a,
				     r->f[RESET_DIRECTION], r->f[RESET_ORIGIN], r->f[RESET_REASON],
				     r->f[RESET_PORT] ? r->f[RESET_PORT] : "-",
				     top_view_netns(c->v, r->f[RESET_NETNS]),
				     c->plain ? num(b, sizeof(b), r->total) : "",
				     c->plain ? "  " : "", reset_hint(c, r));
	}
	return ret;
}

static int conntrack(struct ctx *c, size_t max)
{
	char a[32], b[32];
	int ret = 0;

	if (!c->v->n_conntrack)
		return top_screen_add(c->s, "CONNTRACK no namespace with conntrack active");
	for (size_t i = 0; !ret && i < c->v->n_conntrack && i < max; i++) {
		const struct top_conntrack *ct = &c->v->conntrack[i];

		ret = top_screen_add(c->s, "CONNTRACK %5.1f%% full  %s/%s entries  netns %s",
				     ct->limit > 0 ? 100.0 * ct->entries / ct->limit : 0.0,
				     num(a, sizeof(a), ct->entries), num(b, sizeof(b), ct->limit),
				     top_view_netns(c->v, ct->netns));
	}
	return ret;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int body(struct ctx *c)
{
	const struct top_view *v = c->v;
	int h = c->s->height, extra = h > 24 ? h - 24 : 0, ret;
	size_t n_ct, n_rs, n_dr;
	int below;

	if (c->plain) {
		ret = probes(c);
		if (!ret)
			ret = top_screen_add(c->s, "%s", "");
		if (!ret)
			ret = drops(c, PLAIN_DROPS);
		if (!ret)
			ret = top_screen_add(c->s, "%s", "");
		if (!ret)
			ret = stacks(c, -1);
		if (!ret)
			ret = top_screen_add(c->s, "%s", "");
		if (!ret)
			ret = resets(c, PLAIN_RESETS);
		if (!ret)
			ret = top_screen_add(c->s, "%s", "");
		if (!ret)
			ret = conntrack(c, PLAIN_CONNTRACK);
		return ret;
	}
	n_ct = min_sz(v->n_conntrack, 1 + extra / 8);
	n_rs = min_sz(v->resets.n, 2 + extra / 6);
	n_dr = min_sz(v->drops.n, 4 + extra / 3);
	/* The sections below the stacks keep their lines. */
	below = (int)(n_ct ? n_ct : 1) + 1 + (int)n_rs;
	ret = probes(c);
	if (!ret)
		ret = drops(c, n_dr);
	if (!ret)
		ret = stacks(c, top_screen_left(c->s) - below);
	if (!ret)
		ret = resets(c, n_rs);
	if (!ret)
		ret = conntrack(c, n_ct);
	return ret;
}

int top_layout(const struct top_view *v, const struct top_layout_info *info, struct top_screen *out)
{
	struct ctx c = { .v = v, .s = out, .plain = out->height <= 0 };
	int ret;

	ret = top_screen_add(out, "skbtrace top  %s  %s%s", info->url, info->when,
			     info->interactive ? "  (q quits)" : "");
	if (!ret && info->error)
		ret = top_screen_add(out, "error: %s", info->error);
	if (!ret && !v)
		return info->error ? 0 : top_screen_add(out, "waiting for the first scrape");
	if (!ret && !info->error)
		ret = v->has_rates
			      ? top_screen_add(out, "rates per second over the last %.1f s",
					       v->interval_s)
			      : top_screen_add(out, "totals since the daemon started (rates from "
						    "the next scrape)");
	if (!ret)
		ret = body(&c);
	return ret == -ENOSPC ? 0 : ret;
}
