/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP basic authentication against bcrypt hashes (web.basic_auth_users).
 *
 * bcrypt is slow on purpose (cost 10: tens of milliseconds), and the daemon
 * serves from one thread, so a (user, password) that matched is remembered
 * by a keyed hash and the next scrape skips bcrypt.  Only successes are
 * remembered, in a few slots; the key is random per server, so the cache
 * is worthless outside the process.
 */
#ifndef SKBTRACE_HTTP_AUTH_H
#define SKBTRACE_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include "web_config.h"

#define HTTP_AUTH_CACHE_SLOTS 64

struct http_auth;

/* users must outlive the checker; NULL when out of memory or without randomness. */
struct http_auth *http_auth_new(const struct web_user *users, int n_users);
void http_auth_free(struct http_auth *a);

/* Whether user and password match; NULL for either (no credentials) never does. */
bool http_auth_check(struct http_auth *a, const char *user, const char *password);
/* bcrypt runs so far (a cache hit runs none), for the tests. */
uint64_t http_auth_bcrypt_runs(const struct http_auth *a);

#endif /* SKBTRACE_HTTP_AUTH_H */
