// SPDX-License-Identifier: GPL-2.0
/*
 * URLs are parsed by libcurl's own parser, the one the transfer uses, so
 * that what top checks here is what it connects to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "top_url.h"

#define URL_SHAPE "expected http[s]://HOST[:PORT][/PATH]"

static bool has_part(CURLU *u, CURLUPart part)
{
	char *s = NULL;
	bool yes = curl_url_get(u, part, &s, 0) == CURLUE_OK && s && *s;

	curl_free(s);
	return yes;
}

int top_url_resolve(const char *url, char *out, size_t size, bool *https, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *path = NULL, *full = NULL, *port = NULL;
	const char *sep = strstr(url, "://");
	int ret = -EINVAL;

	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/*
	 * Without flags curl refuses a URL without a scheme, spaces and control
	 * bytes; it would take "http:///x" for host x, and port 0.
	 */
	if (strlen(url) >= size || !sep || sep[3] == '/' ||
	    curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) || !has_part(u, CURLUPART_HOST) ||
	    (!curl_url_get(u, CURLUPART_PORT, &port, 0) && atoi(port) == 0)) {
		snprintf(err, errlen, "%s: " URL_SHAPE, url);
		goto out;
	}
	if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		snprintf(err, errlen, "%s: " URL_SHAPE " (top speaks http and https only)", url);
		goto out;
	}
	if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD)) {
		snprintf(err, errlen,
			 "%s: no credentials in the URL (the process list shows them); pass "
			 "--user NAME, and the password in SKBTRACE_PASSWORD or --password-file "
			 "FILE",
			 url);
		goto out;
	}
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) || !strcmp(path, "/")) {
		if (!has_part(u, CURLUPART_QUERY) && curl_url_set(u, CURLUPART_PATH, "/metrics", 0))
			goto oom;
	}
	if (curl_url_get(u, CURLUPART_URL, &full, 0))
		goto oom;
	if (strlen(full) >= size) {
		snprintf(err, errlen, "%s: longer than %zu bytes", url, size - 1);
		goto out;
	}
	strcpy(out, full);
	*https = !strcmp(scheme, "https");
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
	ret = -ENOMEM;
out:
	curl_free(scheme);
	curl_free(path);
	curl_free(full);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

/* "scheme://host:port" of a resolved URL, which always has a path. */
static int base_len(const char *url)
{
	const char *p = strstr(url, "://");

	return p ? (int)(p + 3 + strcspn(p + 3, "/?") - url) : (int)strlen(url);
}

/* Printable ASCII only: these strings come from the network and go to a terminal. */
static void clean(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; src && *src && n + 1 < size; src++)
		dst[n++] = (*src >= ' ' && *src < 0x7f) ? *src : '?';
	dst[n] = '\0';
}

static bool media_type_is(const char *type, const char *want)
{
	size_t n = strlen(want);

	return !strncasecmp(type, want, n) && (!type[n] || type[n] == ';' || type[n] == ' ');
}

int top_answer_check(const struct top_answer *a, char *err, size_t errlen)
{
	int b = base_len(a->url);
	char reason[64], type[128], where[TOP_URL_MAX];

	clean(reason, sizeof(reason), a->reason);
	clean(type, sizeof(type), a->content_type);
	clean(where, sizeof(where), a->location);
	if (a->status == 401 && a->user)
		snprintf(err, errlen,
			 "%s: HTTP 401 %s: the daemon refused user '%s'; check the password in "
			 "SKBTRACE_PASSWORD or --password-file",
			 a->url, reason, a->user);
	else if (a->status == 401)
		snprintf(err, errlen,
			 "%s: HTTP 401 %s: the daemon asks for a password; pass --user NAME, and "
			 "the password in SKBTRACE_PASSWORD or --password-file FILE",
			 a->url, reason);
	else if (a->status == 404)
		snprintf(err, errlen,
			 "%s: HTTP 404 %s: no metrics at this path; pass the base URL %.*s or "
			 "%.*s/metrics",
			 a->url, reason, b, a->url, b, a->url);
	else if (a->status == 429)
		snprintf(err, errlen,
			 "%s: HTTP 429 %s: the daemon refuses this address for now (too many "
			 "connections or failed passwords); try again later",
			 a->url, reason);
	else if (a->status >= 300 && a->status < 400)
		snprintf(err, errlen, "%s: HTTP %ld %s to %s; pass that URL instead", a->url,
			 a->status, reason, where[0] ? where : "nowhere");
	else if (a->status != 200)
		snprintf(err, errlen, "%s: HTTP %ld %s instead of metrics", a->url, a->status,
			 reason);
	else if (type[0] ? media_type_is(type, "text/html") : (a->len && a->body[0] == '<'))
		snprintf(err, errlen,
			 "%s: got an HTML page, not metrics; pass the base URL %.*s or "
			 "%.*s/metrics",
			 a->url, b, a->url, b, a->url);
	else if (type[0] && !media_type_is(type, "text/plain"))
		snprintf(err, errlen,
			 "%s: got %s, not metrics (text/plain); pass the base URL %.*s or "
			 "%.*s/metrics",
			 a->url, type, b, a->url, b, a->url);
	else
		return 0;
	return -EPROTO;
}
