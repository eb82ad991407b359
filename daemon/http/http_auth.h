/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP basic authentication against bcrypt hashes (web.basic_auth_users).
 *
 * bcrypt is slow on purpose (cost 10: tens of milliseconds), so the event
 * loop never runs it: http_auth_begin() answers from what it already knows
 * or hands back a job, which a worker (http_auth_pool.h) runs, and
 * http_auth_end() takes the answer on the loop again.  What it knows:
 * - a (user, password) that matched, remembered by a keyed hash in a few
 *   slots, for as long as the server runs;
 * - a (user, password) that did not, in as many slots, for
 *   HTTP_AUTH_NEGATIVE_TTL_MS, so that one wrong password sent again and
 *   again costs one bcrypt;
 * - each client address's budget of bcrypt runs that may fail: a burst of
 *   HTTP_AUTH_BUDGET_BURST, one more every HTTP_AUTH_BUDGET_REFILL_MS; a
 *   run that matches costs nothing.
 * The key is random per server, so the caches are worthless outside the
 * process.
 */
#ifndef SKBTRACE_HTTP_AUTH_H
#define SKBTRACE_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "web_config.h"

#define HTTP_AUTH_CACHE_SLOTS 64
#define HTTP_AUTH_NEGATIVE_TTL_MS 30000
#define HTTP_AUTH_BUDGET_BURST 10
#define HTTP_AUTH_BUDGET_REFILL_MS 1000
/* Client addresses whose budget is tracked; the fullest is forgotten first. */
#define HTTP_AUTH_BUDGET_CLIENTS 256

struct http_auth;

enum http_auth_verdict {
	HTTP_AUTH_OK,		/* matched before */
	HTTP_AUTH_NO,		/* no credentials */
	HTTP_AUTH_KNOWN_WRONG,	/* failed before, within the negative cache's time */
	HTTP_AUTH_OVER_BUDGET,	/* the client has no failed attempt left */
	HTTP_AUTH_NEEDS_BCRYPT, /* *job set: run it, then http_auth_end() */
};

/* One bcrypt to run, on any thread; owns copies of what it needs. */
struct http_auth_job {
	struct http_auth_job *next; /* the pool's queues */
	const void *tag;	    /* the pool's: whose job (http_auth_pool_cancel()) */
	void *owner;		    /* the caller's: the request waiting for it */
	char *password;
	char hash[128];
	bool known_user; /* else the hash is users[0]'s, for the time it takes */
	bool have_mac;
	bool ok;  /* the result */
	bool ran; /* false when cancelled */
	uint8_t mac[32];
	struct sockaddr_storage client;
};

/* users must outlive the checker; NULL when out of memory or without randomness. */
struct http_auth *http_auth_new(const struct web_user *users, int n_users);
void http_auth_free(struct http_auth *a);

/*
 * What is known of (user, password) from client (NULL: not budgeted), at
 * now_ms (monotonic).  HTTP_AUTH_NEEDS_BCRYPT has spent one of the
 * client's attempts and set *job (NULL with HTTP_AUTH_NO when out of
 * memory).
 */
enum http_auth_verdict http_auth_begin(struct http_auth *a, const struct sockaddr *client,
				       const char *user, const char *password, uint64_t now_ms,
				       struct http_auth_job **job);
/* Runs the bcrypt of job, on any thread; thread-safe. */
void http_auth_job_run(struct http_auth_job *job);
/*
 * On the thread of http_auth_begin(): remembers job's result, gives back
 * the attempt when it matched, frees job, and returns the result.  A job
 * that did not run (cancelled, queue full) gives the attempt back and fails.
 */
bool http_auth_end(struct http_auth *a, struct http_auth_job *job, uint64_t now_ms);
/* Frees a job without looking at it, e.g. when its checker is gone. */
void http_auth_job_free(struct http_auth_job *job);

/* begin, run and end at once, on the calling thread; no budget. */
bool http_auth_check(struct http_auth *a, const char *user, const char *password);
/* bcrypt runs so far (a cache hit runs none), all checkers together, for the tests. */
uint64_t http_auth_bcrypt_runs(void);

#endif /* SKBTRACE_HTTP_AUTH_H */
