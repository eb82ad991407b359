// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "daemon.h"
#include "diagnosis.h"
#include "drop_view.h"
#include "landing.h"
#include "markup.h"
#include "version.h"

static const char style[] =
	"body{font-family:sans-serif;margin:1.5em;color:#222}"
	"table{border-collapse:collapse;margin-bottom:1em}"
	"th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
	"th{background:#eee}td.n{text-align:right;font-family:monospace}"
	".ok{color:#070}.bad{color:#b00}small{color:#555}";

static const char *probe_error(const struct daemon *d, const char *name)
{
	for (int i = 0; i < d->n_probes; i++) {
		if (!strcmp(d->probes[i].ops->name, name))
			return d->probes[i].error;
	}
	return "";
}

static void probes_table(FILE *f, const struct daemon *d, const struct drop_view *v)
{
	const struct view_probe *p = v->probes.v;

	fputs("<h2>Probes</h2>\n<table><tr><th>probe</th><th>enabled</th><th>attached</th>"
	      "<th>method</th><th>last error</th></tr>\n",
	      f);
	for (size_t i = 0; i < v->probes.n; i++) {
		fputs("<tr><td>", f);
		markup_escape(f, p[i].probe);
		fprintf(f, "</td><td>%s</td><td class=\"%s\">%s</td><td>",
			p[i].enabled ? "yes" : "no", p[i].attached ? "ok" : "bad",
			p[i].attached ? "attached" : "not attached");
		markup_escape(f, p[i].method);
		fputs("</td><td>", f);
		markup_escape(f, probe_error(d, p[i].probe));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	/* A failed reload leaves the previous configuration running: say why. */
	if (d->last_reload_failed && d->note[0]) {
		fputs("<p class=\"bad\">", f);
		markup_escape(f, d->note);
		fputs("</p>\n", f);
	}
}

static uint64_t sum(const struct view_total *t, long n)
{
	uint64_t s = 0;

	for (long i = 0; i < n; i++)
		s += t[i].count;
	return s;
}

static void more(FILE *f, long n)
{
	if (n > LANDING_TOP)
		fprintf(f, "<p><small>%ld more not shown: see /metrics.</small></p>\n",
			n - LANDING_TOP);
}

static void reasons_table(FILE *f, const struct view_total *t, long n)
{
	uint64_t total = sum(t, n);

	fprintf(f,
		"<h2 id=\"reasons\">Top drop reasons since start</h2>\n<p>%" PRIu64
		" drops.</p>\n<table><tr><th>reason</th><th>drops</th><th>share</th>"
		"<th>likely cause</th><th>what to check</th><th>stacks</th></tr>\n",
		total);
	for (long i = 0; i < n && i < LANDING_TOP; i++) {
		/* No entry in the diagnosis table, no hint: never a guessed one. */
		const struct hint *h = hint_find(HINT_DROP_REASON, t[i].key);

		fputs("<tr><td>", f);
		markup_escape(f, t[i].key);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%</td><td>",
			t[i].count, total ? 100.0 * t[i].count / total : 0.0);
		markup_escape(f, h ? h->cause : "");
		fputs("</td><td>", f);
		markup_escape(f, h ? h->action : "");
		/* Reason names are [A-Za-z0-9_:], nothing to percent-encode but ':'. */
		fputs("</td><td><a href=\"/flamegraph?reason=", f);
		for (const char *c = t[i].key; *c; c++) {
			if (*c == ':')
				fputs("%3A", f);
			else
				markup_escape(f, (char[]){ *c, '\0' });
		}
		fputs("\">flame graph</a></td></tr>\n", f);
	}
	fputs("</table>\n", f);
	more(f, n);
}

static void netns_table(FILE *f, const struct view_total *t, long n)
{
	fputs("<h2>Top network namespaces since start</h2>\n<table><tr><th>netns</th>"
	      "<th>drops</th></tr>\n",
	      f);
	for (long i = 0; i < n && i < LANDING_TOP; i++) {
		fputs("<tr><td>", f);
		markup_escape(f, t[i].key);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td></tr>\n", t[i].count);
	}
	fputs("</table>\n", f);
	more(f, n);
}

static int page(FILE *f, struct daemon *d, const struct drop_view *v)
{
	struct view_total *reasons = NULL, *netns = NULL;
	long n_reasons = drop_view_totals(v, true, &reasons);
	long n_netns = n_reasons < 0 ? -ENOMEM : drop_view_totals(v, false, &netns);
	int err = n_netns < 0 ? (int)n_netns : 0;

	if (!err) {
		fprintf(f,
			"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			"<title>skbtrace</title><style>%s</style></head><body>\n"
			"<h1>skbtrace " SKBTRACE_VERSION "</h1>\n"
			"<p>Kernel packet drops by reason, location, network namespace and "
			"stack, counted since the daemon started.</p>\n"
			"<p><a href=\"/metrics\">/metrics</a> (Prometheus) &middot; "
			"<a href=\"/stacks\">/stacks</a> (symbolized stacks by stable id, JSON; "
			"<code>/stacks?id=ID</code> for one) &middot; "
			"<a href=\"/flamegraph\">/flamegraph</a> (all drop stacks, SVG; "
			"<code>/flamegraph?reason=REASON</code> for one reason)</p>\n",
			style);
		probes_table(f, d, v);
		reasons_table(f, reasons, n_reasons);
		netns_table(f, netns, n_netns);
		fputs("<h2>Drop stacks, all reasons</h2>\n<div>", f);
		err = drop_view_flamegraph(v, d, NULL, false, f);
		fputs("</div>\n</body></html>\n", f);
	}
	free(reasons);
	free(netns);
	return err;
}

char *landing_render(struct daemon *d, size_t *len)
{
	struct drop_view v;
	char *out = NULL;
	FILE *f;
	int err = drop_view_collect(d, &v);

	if (err) {
		errno = -err;
		return NULL;
	}
	f = open_memstream(&out, len);
	if (!f) {
		drop_view_free(&v);
		return NULL;
	}
	err = page(f, d, &v);
	drop_view_free(&v);
	if (fclose(f) || err) {
		free(out);
		errno = err ? -err : ENOMEM;
		return NULL;
	}
	return out;
}
