/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What keeps hostile clients from starving the scrapes: a limit on open
 * connections and a smaller one per client address, and a deadline for every
 * phase of a connection's life, so that a connection which holds a slot
 * without moving is closed.  A new connection that finds its client or the
 * server at its limit is admitted all the same, and the connection that has
 * held a slot longest without a request in progress is closed in its place:
 * squatters cannot keep a scraper out, even from the scraper's own address.  libmicrohttpd's own timeout restarts with every
 * byte received, which a client sending one header byte a second never lets
 * expire; these deadlines do not move.
 *
 * Kept apart from libmicrohttpd: http.c tells the guard what happens to each
 * connection, the guard tells it which sockets to shut.
 */
#ifndef SKBTRACE_HTTP_GUARD_H
#define SKBTRACE_HTTP_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct http_limits {
	uint32_t max_connections;
	uint32_t max_connections_per_client; /* per client IP address */
	uint32_t
		header_timeout_ms; /* from accept (or the last response) to the request's headers */
	uint32_t idle_timeout_ms;  /* for a response to be sent, and for the next request */
};

/* Which limit a new connection found reached: it was refused, or it evicted another. */
enum http_reject_reason {
	HTTP_REJECT_CONNECTION_LIMIT,
	HTTP_REJECT_CLIENT_LIMIT,
	HTTP_REJECT_REASONS,
};

/* Clients turned away by web.tls_server_config or web.basic_auth_users (counted in http.c). */
enum http_refusal {
	HTTP_REFUSED_PASSWORD,		 /* 401: no valid user and password */
	HTTP_REFUSED_CLIENT_CERTIFICATE, /* not signed by client_ca_file, or 403 */
	HTTP_REFUSED_PASSWORD_KNOWN,	 /* 401 from the cache of wrong passwords, no bcrypt */
	HTTP_REFUSED_AUTH_BUSY,		 /* 429: the bcrypt queue was full */
	HTTP_REFUSED_AUTH_BUDGET,	 /* 429: the client's failed-attempt budget was spent */
	HTTP_REFUSALS,
};

enum http_conn_phase {
	HTTP_PHASE_HEADERS,  /* connected, the request's headers not complete */
	HTTP_PHASE_RESPONSE, /* request read, the response being sent */
	HTTP_PHASE_IDLE,     /* kept alive, waiting for the next request */
	HTTP_PHASES,
};

struct http_stats {
	uint64_t rejected[HTTP_REJECT_REASONS]; /* nothing could be evicted: every slot busy */
	uint64_t evicted[HTTP_REJECT_REASONS];	/* closed to make room for a new connection */
	uint64_t timed_out[HTTP_PHASES];
	uint64_t refused[HTTP_REFUSALS];
	uint64_t open;
};

const char *http_reject_reason_name(enum http_reject_reason r);
const char *http_conn_phase_name(enum http_conn_phase p);
const char *http_refusal_name(enum http_refusal r);

struct http_guard;
struct http_guard_conn;

struct http_guard *http_guard_new(const struct http_limits *lim);
void http_guard_free(struct http_guard *g);
/* New limits apply to new connections and deadlines from now on. */
void http_guard_set_limits(struct http_guard *g, const struct http_limits *lim);

/*
 * Whether a connection from addr may be accepted.  At a limit (the client's
 * first), it is, and one connection of that scope (that client, or at the
 * server's limit the client holding the most) that waits for a request
 * (phase headers or idle) is to make room: http_guard_settle() shuts the
 * one that has waited longest.  One whose request is being answered never
 * is.  Only when every connection of that scope is answering one is the
 * new one refused (counted as rejected).  Shut connections no longer count
 * against the limits.
 */
bool http_guard_admit(struct http_guard *g, const struct sockaddr *addr);
/* After a run of the server: does the evictions admitted promised, counted.  Returns how many. */
int http_guard_settle(struct http_guard *g);
/* An accepted connection, in the headers phase; NULL when out of memory. */
struct http_guard_conn *http_guard_open(struct http_guard *g, const struct sockaddr *addr, int fd,
					uint64_t now_ms);
void http_guard_enter(struct http_guard *g, struct http_guard_conn *c, enum http_conn_phase p,
		      uint64_t now_ms);
void http_guard_close(struct http_guard *g, struct http_guard_conn *c);
/*
 * The client has shown, while waiting for its request, that it is on its
 * way (a whole TLS ClientHello): it is evicted after the connections of its
 * scope that have not, oldest first among each.  Until its next wait.
 */
void http_guard_spoke(struct http_guard_conn *c);

/*
 * Shuts down (shutdown(2), so that the server sees the close on its own
 * terms) every connection past its deadline, counting each once.  Returns
 * how many.
 */
int http_guard_expire(struct http_guard *g, uint64_t now_ms);
/*
 * Shuts every connection now kept alive between requests, as for a
 * deadline but not counted as a timeout.  Returns how many.
 */
int http_guard_shut_idle(struct http_guard *g);
/* Milliseconds until the next deadline, or -1 when there is none. */
int64_t http_guard_next_ms(const struct http_guard *g, uint64_t now_ms);

void http_guard_stats(const struct http_guard *g, struct http_stats *out);

#endif /* SKBTRACE_HTTP_GUARD_H */
