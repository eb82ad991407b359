// SPDX-License-Identifier: GPL-2.0
/*
 * The web settings as the HTTP server keeps them (web_config.h): its own
 * copy of the TLS files and users, compared at a reload so that an
 * unchanged "web" object restarts nothing.  The parser is config_web.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "web_config.h"

/* A private key should not linger in freed memory. */
static void file_free(struct web_file *f)
{
	free(f->path);
	if (f->data)
		explicit_bzero(f->data, f->len);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

void web_security_free(struct web_config *w)
{
	file_free(&w->tls.cert);
	file_free(&w->tls.key);
	file_free(&w->tls.client_ca);
	for (int i = 0; i < w->n_users; i++) {
		free(w->users[i].name);
		free(w->users[i].hash);
	}
	free(w->users);
	w->users = NULL;
	w->n_users = 0;
}

static bool file_equal(const struct web_file *a, const struct web_file *b)
{
	if (!a->data || !b->data)
		return !a->data && !b->data;
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

bool web_security_equal(const struct web_config *a, const struct web_config *b)
{
	const struct web_tls_config *x = &a->tls, *y = &b->tls;

	if (x->enabled != y->enabled || x->client_auth != y->client_auth ||
	    x->min_version != y->min_version || !file_equal(&x->cert, &y->cert) ||
	    !file_equal(&x->key, &y->key) || !file_equal(&x->client_ca, &y->client_ca) ||
	    a->n_users != b->n_users)
		return false;
	for (int i = 0; i < a->n_users; i++)
		if (strcmp(a->users[i].name, b->users[i].name) ||
		    strcmp(a->users[i].hash, b->users[i].hash))
			return false;
	return true;
}

static int file_copy(struct web_file *dst, const struct web_file *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->path)
		return 0;
	dst->path = strdup(src->path);
	dst->data = malloc(src->len + 1);
	if (!dst->path || !dst->data)
		return -ENOMEM;
	memcpy(dst->data, src->data, src->len + 1);
	dst->len = src->len;
	return 0;
}

int web_security_copy(struct web_config *dst, const struct web_config *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->tls.enabled = src->tls.enabled;
	dst->tls.client_auth = src->tls.client_auth;
	dst->tls.min_version = src->tls.min_version;
	if (file_copy(&dst->tls.cert, &src->tls.cert) || file_copy(&dst->tls.key, &src->tls.key) ||
	    file_copy(&dst->tls.client_ca, &src->tls.client_ca))
		goto fail;
	dst->users = calloc(src->n_users ? src->n_users : 1, sizeof(*dst->users));
	if (!dst->users)
		goto fail;
	for (; dst->n_users < src->n_users; dst->n_users++) {
		struct web_user *u = &dst->users[dst->n_users];

		u->name = strdup(src->users[dst->n_users].name);
		u->hash = strdup(src->users[dst->n_users].hash);
		if (!u->name || !u->hash) {
			dst->n_users++;
			goto fail;
		}
	}
	return 0;
fail:
	web_security_free(dst);
	return -ENOMEM;
}
