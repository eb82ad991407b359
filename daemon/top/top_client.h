/* SPDX-License-Identifier: GPL-2.0 */
/* `skbtrace top`'s HTTP(S) client, on libcurl: one handle, kept alive between scrapes. */
#ifndef SKBTRACE_TOP_CLIENT_H
#define SKBTRACE_TOP_CLIENT_H

#include <stddef.h>

#define TOP_MAX_BODY (32u << 20)
#define TOP_PASSWORD_MAX 1024
#define TOP_PASSWORD_ENV "SKBTRACE_PASSWORD"

struct top_client_options {
	const char *url;
	const char *cacert; /* PEM CA certificates to trust instead of the system's */
	const char *cert;   /* PEM client certificate, with key */
	const char *key;
	const char *user;     /* basic auth, with password */
	const char *password; /* never from argv: top_password_load() */
	size_t max_body;      /* 0: TOP_MAX_BODY */
};

struct top_client;

/*
 * Checks the options (the URL, files readable, --cert with --key, TLS
 * options only for https, a password only with a user) and sets up a
 * handle.  NULL and one line in err when they do not fit.
 */
struct top_client *top_client_new(const struct top_client_options *o, char *err, size_t errlen);

/* The URL it scrapes: --url resolved (top_url_resolve()). */
const char *top_client_url(const struct top_client *c);

/*
 * GETs the URL within timeout_ms in all.  On a metrics exposition returns 0
 * and a NUL-terminated body to free(); else a negative errno and one line in
 * err: unreachable, timed out, TLS refused, body over the bound, or not
 * metrics (top_answer_check()).
 */
int top_client_get(struct top_client *c, int timeout_ms, char **body, size_t *len, char *err,
		   size_t errlen);

void top_client_free(struct top_client *c);

/*
 * The password for --user: the first line of file when given, else the
 * environment's SKBTRACE_PASSWORD, else none (buf empty).  0, or a negative
 * errno and one line in err (unreadable, empty, too long).
 */
int top_password_load(const char *file, char *buf, size_t size, char *err, size_t errlen);

#endif /* SKBTRACE_TOP_CLIENT_H */
