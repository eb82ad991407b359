// SPDX-License-Identifier: GPL-2.0
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "daemon.h"
#include "expo.h"
#include "http_metrics.h"
#include "http_routes.h"
#include "stacks.h"
#include "version.h"

static char *render_landing(size_t *len)
{
	static const char page[] =
		"<!DOCTYPE html>\n<html><head><title>skbtrace</title></head><body>\n"
		"<h1>skbtrace " SKBTRACE_VERSION "</h1>\n"
		"<p>Kernel packet drops by reason, location, network namespace and stack.</p>\n"
		"<ul><li><a href=\"/metrics\">/metrics</a> (Prometheus)</li>\n"
		"<li><a href=\"/stacks\">/stacks</a> (symbolized stacks by stable id, JSON; "
		"<code>/stacks?id=ID</code> for one)</li></ul>\n"
		"</body></html>\n";

	*len = sizeof(page) - 1;
	return strdup(page);
}

static int expo_http(struct expo *e, void *ctx)
{
	const struct served *sv = ctx;
	struct http_stats st;

	if (!sv->http)
		return 0;
	http_server_stats(sv->http, &st);
	return http_stats_expo(e, &st);
}

static int handle_landing(void *ctx, const char *id_arg, struct http_body *out)
{
	out->body = render_landing(&out->len);
	out->content_type = "text/html; charset=utf-8";
	return out->body ? 0 : -1;
}

static int handle_metrics(void *ctx, const char *id_arg, struct http_body *out)
{
	struct served *sv = ctx;

	out->body = daemon_render_metrics(sv->d, expo_http, sv, &out->len);
	/* A scrape's scratch memory is freed by now; give it back rather than keep the peak. */
	malloc_trim(0);
	out->content_type = EXPO_CONTENT_TYPE;
	return out->body ? 0 : -1;
}

static int handle_stacks(void *ctx, const char *id_arg, struct http_body *out)
{
	struct daemon *d = ((struct served *)ctx)->d;

	out->body = stack_table_json(d->stacks, id_arg, &out->len);
	out->content_type = "application/json";
	return out->body ? 0 : -1;
}

const struct http_route skbtrace_routes[] = {
	/* Scrapes that arrive together share one rendering. */
	{ "/", handle_landing, true },
	{ "/metrics", handle_metrics, true },
	{ "/stacks", handle_stacks, false },
};

const size_t skbtrace_n_routes = sizeof(skbtrace_routes) / sizeof(skbtrace_routes[0]);
