// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "daemon.h"
#include "expo.h"
#include "drop_view.h"
#include "http_metrics.h"
#include "http_routes.h"
#include "landing.h"
#include "stacks.h"

/* Longer than any drop reason name, SUBSYS:code ones included. */
#define REASON_ARG_MAX 64

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
	struct daemon *d = ((struct served *)ctx)->d;

	out->body = landing_render(d, &out->len);
	malloc_trim(0);
	out->content_type = "text/html; charset=utf-8";
	return out->body ? 0 : -1;
}

static bool reason_valid(const char *r)
{
	size_t n = strspn(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:");

	return n && n <= REASON_ARG_MAX && !r[n];
}

static int text_reply(struct http_body *out, unsigned int status, const char *text)
{
	out->body = strdup(text);
	out->len = strlen(text);
	out->status = status;
	out->content_type = "text/plain; charset=utf-8";
	return out->body ? 0 : -1;
}

/* 404 with a graph that says so for a reason no captured stack has (unknown or not seen). */
static int handle_flamegraph(void *ctx, const char *reason, struct http_body *out)
{
	struct daemon *d = ((struct served *)ctx)->d;
	struct drop_view v;
	FILE *f;
	int err;

	if (reason && !reason_valid(reason))
		return text_reply(out, 400,
				  "bad reason: expected 1 to 64 characters of A-Z a-z 0-9 _ :\n");
	if (drop_view_collect(d, &v))
		return -1;
	f = open_memstream(&out->body, &out->len);
	if (!f) {
		drop_view_free(&v);
		return -1;
	}
	err = drop_view_flamegraph(&v, d, reason, true, f);
	drop_view_free(&v);
	if (fclose(f) || (err && err != -ENOENT)) {
		free(out->body);
		out->body = NULL;
		return -1;
	}
	malloc_trim(0);
	out->status = err ? 404 : 0;
	out->content_type = "image/svg+xml";
	return 0;
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
	{ "/flamegraph", handle_flamegraph, true, "reason" },
};

const size_t skbtrace_n_routes = sizeof(skbtrace_routes) / sizeof(skbtrace_routes[0]);
