/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's insides, shared by http.c (start, reconfigure, serve) and
 * http_loop.c (what the daemon's loop calls); nothing outside this room
 * includes it.
 */
#ifndef SKBTRACE_HTTP_INTERNAL_H
#define SKBTRACE_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <microhttpd.h>
#include "http.h"
#include "http_auth.h"
#include "http_guard.h"
#include "web_config.h"

/*
 * A rendering served again, as it is, to the other requests read in the same
 * run of the server: those that were waiting while it rendered, and any that
 * arrived while the run went on, milliseconds later at most.  A request read
 * in a later run renders anew, so no answer is older than one run.
 */
struct shared_response {
	struct MHD_Response *response;
	unsigned int status;
	uint64_t run;
};

/*
 * One libmicrohttpd daemon with its TLS settings and users.  A reload that
 * changes them starts a new one on the same listening socket (on a
 * duplicate of its fd), so the socket and the connections waiting in its
 * backlog are never dropped, and retires this one: it accepts no more,
 * its kept-alive connections are closed at once, and those in the middle
 * of a request get that one answer, checked against the settings they were
 * opened under, and are closed after it (their deadlines still apply).
 */
struct mhd_instance {
	struct MHD_Daemon *mhd;
	int epoll_fd;		/* libmicrohttpd's */
	struct web_config sec;	/* own copy: tls and users only */
	struct http_auth *auth; /* NULL: no users, no authentication */
};

struct http_server {
	struct mhd_instance cur;
	struct mhd_instance old; /* retiring, mhd NULL when none */
	int listen_fd;
	int epoll_fd; /* holds cur.epoll_fd, so that the daemon loop's fd never changes */
	const struct http_route *routes;
	size_t n_routes;
	struct shared_response *shared; /* one per route */
	struct http_guard *guard;
	void *ctx;
	/* Canned replies, created once and shared by every connection. */
	struct MHD_Response *not_found;
	struct MHD_Response *not_allowed;
	struct MHD_Response *failed;
	struct MHD_Response *unauthorized;
	struct MHD_Response *forbidden;
	struct MHD_Response *too_many;
	/* bcrypt off the loop: requests wait for it suspended (see admitted()). */
	struct http_auth_pool *pool;
	/* A connection was closed by the last http_server_run(). */
	bool closed;
	uint64_t runs;			 /* http_server_run() calls, to tell concurrent requests */
	uint64_t refused[HTTP_REFUSALS]; /* after the handshake */
	/* Set only inside http_server_start(), to catch MHD's reason for failing. */
	char *start_err;
	size_t start_errlen;
};

static inline uint64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Stops an instance's MHD and frees its settings; the listen socket stays.
 * Its requests waiting for a bcrypt are cancelled and resumed first: MHD
 * must not be stopped with connections suspended.
 */
void http_instance_stop(struct http_server *s, struct mhd_instance *in);

/* The instance, current or retiring, that accepted the connection. */
struct mhd_instance *http_instance_of(struct http_server *s, struct MHD_Connection *conn);

/* What became of a request at its admission (http_admit.c). */
enum admission {
	ADMIT,
	REFUSE,	 /* the refusal queued */
	SUSPEND, /* waiting for a bcrypt worker */
};

/* Counts the refusal and queues its canned answer: 429 when busy, else 401. */
enum admission http_refuse(struct http_server *s, struct MHD_Connection *conn,
			   enum http_refusal why, enum MHD_Result *refusal);

/*
 * The client certificate and the password of a request, for every path and
 * method; a password that needs a bcrypt suspends the request (may_wait)
 * with its job in *req_cls.
 */
enum admission http_admitted(struct http_server *s, struct MHD_Connection *conn, bool may_wait,
			     void **req_cls, enum MHD_Result *refusal);

/* Resumes the requests whose bcrypt is done, for this run of MHD to serve. */
void http_resume_checked(struct http_server *s);

#endif
