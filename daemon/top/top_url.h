/* SPDX-License-Identifier: GPL-2.0 */
/* The URL `skbtrace top` scrapes, and what it says when the answer is not metrics. */
#ifndef SKBTRACE_TOP_URL_H
#define SKBTRACE_TOP_URL_H

#include <stdbool.h>
#include <stddef.h>

#define TOP_URL_MAX 1024

/*
 * url as top scrapes it: http:// or https:// only, without credentials (they
 * would show in the process list) or a fragment, and /metrics when it names
 * no path, because the base URL is what users type first and / is the
 * landing page.  0, or -EINVAL and one line in err.
 */
int top_url_resolve(const char *url, char *out, size_t size, bool *https, char *err, size_t errlen);

/* What came back from one GET, as far as top_answer_check() needs it. */
struct top_answer {
	const char *url;	  /* as resolved */
	long status;		  /* 0: no HTTP answer */
	const char *reason;	  /* the status line's reason phrase, or "" */
	const char *content_type; /* or NULL when the answer had none */
	const char *location;	  /* where a redirect points, or NULL */
	const char *body;
	size_t len;
	const char *user; /* --user, or NULL */
};

/*
 * 0 when a is a metrics exposition (200, text/plain or no type); else
 * -EPROTO and one line in err: what came back, and what to pass instead.
 */
int top_answer_check(const struct top_answer *a, char *err, size_t errlen);

#endif /* SKBTRACE_TOP_URL_H */
