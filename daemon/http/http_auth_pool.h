/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The threads that run bcrypt for the HTTP server, so that a flood of
 * passwords to check never holds the event loop: a few workers and a
 * bounded queue.  A job that finds the queue full is refused at once, and
 * the request it came with is answered 429.
 *
 * Finished jobs wait in a list and the fd returned by http_auth_pool_fd()
 * becomes readable; the loop takes them with http_auth_pool_done().
 */
#ifndef SKBTRACE_HTTP_AUTH_POOL_H
#define SKBTRACE_HTTP_AUTH_POOL_H

#include <stdbool.h>
#include "http_auth.h"

/* bcrypt at cost 10 takes tens of ms: two workers answer a few dozen a second. */
#define HTTP_AUTH_WORKERS 2
/* Jobs waiting beside those running: about half a second of work. */
#define HTTP_AUTH_QUEUE 16

struct http_auth_pool;

struct http_auth_pool *http_auth_pool_new(void);
/* Joins the workers; jobs still queued or finished are freed, unlooked at. */
void http_auth_pool_free(struct http_auth_pool *p);
int http_auth_pool_fd(const struct http_auth_pool *p);
/* False when the queue is full: the caller keeps job. */
bool http_auth_pool_submit(struct http_auth_pool *p, struct http_auth_job *job, const void *tag);
/* A finished (or cancelled) job, or NULL when there is none. */
struct http_auth_job *http_auth_pool_done(struct http_auth_pool *p);
/*
 * Takes tag's queued jobs out, not run, to the finished ones, and waits for
 * those of tag running now: after it no worker holds one.
 */
void http_auth_pool_cancel(struct http_auth_pool *p, const void *tag);

#endif /* SKBTRACE_HTTP_AUTH_POOL_H */
