// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "http_guard.h"

/* A client is its IP address; the port changes with every connection. */
struct client {
	sa_family_t family;
	uint8_t addr[16];
	uint32_t conns;
	uint32_t shut; /* of conns: shut, their close not yet seen */
};

struct http_guard_conn {
	struct http_guard_conn *prev, *next;
	int fd;
	enum http_conn_phase phase;
	uint64_t deadline_ms;
	uint64_t waiting_since_ms; /* headers or idle: since when no request is in progress */
	bool shut;
	struct client key; /* conns and shut unused */
};

struct http_guard {
	struct http_limits lim;
	struct http_guard_conn *conns;
	uint64_t shut; /* connections shut, their close not yet seen */
	/* Clients with open connections: few, so a scan is cheapest. */
	struct client *clients;
	size_t n_clients, cap_clients;
	struct http_stats stats;
};

const char *http_reject_reason_name(enum http_reject_reason r)
{
	static const char *const names[HTTP_REJECT_REASONS] = {
		[HTTP_REJECT_CONNECTION_LIMIT] = "connection_limit",
		[HTTP_REJECT_CLIENT_LIMIT] = "client_limit",
	};

	return (unsigned int)r < HTTP_REJECT_REASONS ? names[r] : "unknown";
}

const char *http_refusal_name(enum http_refusal r)
{
	static const char *const names[HTTP_REFUSALS] = {
		[HTTP_REFUSED_PASSWORD] = "password",
		[HTTP_REFUSED_CLIENT_CERTIFICATE] = "client_certificate",
		[HTTP_REFUSED_PASSWORD_KNOWN] = "password_known_wrong",
		[HTTP_REFUSED_AUTH_BUSY] = "password_queue_full",
		[HTTP_REFUSED_AUTH_BUDGET] = "password_budget",
	};

	return (unsigned int)r < HTTP_REFUSALS ? names[r] : "unknown";
}

const char *http_conn_phase_name(enum http_conn_phase p)
{
	static const char *const names[HTTP_PHASES] = {
		[HTTP_PHASE_HEADERS] = "headers",
		[HTTP_PHASE_RESPONSE] = "response",
		[HTTP_PHASE_IDLE] = "idle",
	};

	return (unsigned int)p < HTTP_PHASES ? names[p] : "unknown";
}

static void client_key(const struct sockaddr *sa, struct client *out)
{
	memset(out, 0, sizeof(*out));
	out->family = sa ? sa->sa_family : AF_UNSPEC;
	if (out->family == AF_INET)
		memcpy(out->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (out->family == AF_INET6)
		memcpy(out->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

static struct client *find_client(struct http_guard *g, const struct client *key)
{
	for (size_t i = 0; i < g->n_clients; i++) {
		struct client *c = &g->clients[i];

		if (c->family == key->family && !memcmp(c->addr, key->addr, sizeof(c->addr)))
			return c;
	}
	return NULL;
}

struct http_guard *http_guard_new(const struct http_limits *lim)
{
	struct http_guard *g = calloc(1, sizeof(*g));

	if (g)
		g->lim = *lim;
	return g;
}

void http_guard_free(struct http_guard *g)
{
	if (!g)
		return;
	while (g->conns)
		http_guard_close(g, g->conns);
	free(g->clients);
	free(g);
}

void http_guard_set_limits(struct http_guard *g, const struct http_limits *lim)
{
	g->lim = *lim;
}

static bool same_client(const struct client *a, const struct client *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Shut once: the server sees the close on its own terms, in its next run. */
static void shut(struct http_guard *g, struct http_guard_conn *conn)
{
	struct client *c = find_client(g, &conn->key);

	conn->shut = true;
	g->shut++;
	if (c)
		c->shut++;
	shutdown(conn->fd, SHUT_RDWR);
}

/*
 * The connection of client key (any client when NULL) that has waited
 * longest for a request.  A scan: the limits keep the list short, and the
 * deadlines scan it every run anyway.
 */
static struct http_guard_conn *eviction_victim(struct http_guard *g, const struct client *key)
{
	struct http_guard_conn *victim = NULL;

	for (struct http_guard_conn *c = g->conns; c; c = c->next) {
		if (c->shut || c->phase == HTTP_PHASE_RESPONSE ||
		    (key && !same_client(&c->key, key)))
			continue;
		if (!victim || c->waiting_since_ms <= victim->waiting_since_ms)
			victim = c;
	}
	return victim;
}

bool http_guard_admit(struct http_guard *g, const struct sockaddr *addr)
{
	enum http_reject_reason why;
	struct http_guard_conn *victim;
	struct client key, *c;

	client_key(addr, &key);
	c = find_client(g, &key);
	if (c && c->conns - c->shut >= g->lim.max_connections_per_client) {
		why = HTTP_REJECT_CLIENT_LIMIT;
		victim = eviction_victim(g, &key);
	} else if (g->stats.open - g->shut >= g->lim.max_connections) {
		why = HTTP_REJECT_CONNECTION_LIMIT;
		victim = eviction_victim(g, NULL);
	} else {
		return true;
	}
	if (!victim) {
		g->stats.rejected[why]++;
		return false;
	}
	shut(g, victim);
	g->stats.evicted[why]++;
	return true;
}

static uint32_t phase_timeout(const struct http_guard *g, enum http_conn_phase p)
{
	return p == HTTP_PHASE_HEADERS ? g->lim.header_timeout_ms : g->lim.idle_timeout_ms;
}

struct http_guard_conn *http_guard_open(struct http_guard *g, const struct sockaddr *addr, int fd,
					uint64_t now_ms)
{
	struct http_guard_conn *conn = calloc(1, sizeof(*conn));
	struct client *c;

	if (!conn)
		return NULL;
	client_key(addr, &conn->key);
	c = find_client(g, &conn->key);
	if (!c) {
		if (g->n_clients == g->cap_clients) {
			size_t cap = g->cap_clients ? 2 * g->cap_clients : 16;
			struct client *v = realloc(g->clients, cap * sizeof(*v));

			if (!v) {
				free(conn);
				return NULL;
			}
			g->clients = v;
			g->cap_clients = cap;
		}
		c = &g->clients[g->n_clients++];
		*c = conn->key;
	}
	c->conns++;
	conn->fd = fd;
	conn->next = g->conns;
	if (g->conns)
		g->conns->prev = conn;
	g->conns = conn;
	g->stats.open++;
	http_guard_enter(g, conn, HTTP_PHASE_HEADERS, now_ms);
	return conn;
}

void http_guard_enter(struct http_guard *g, struct http_guard_conn *c, enum http_conn_phase p,
		      uint64_t now_ms)
{
	if (p != HTTP_PHASE_RESPONSE && (c->phase == HTTP_PHASE_RESPONSE || !c->waiting_since_ms))
		c->waiting_since_ms = now_ms ?: 1;
	c->phase = p;
	c->deadline_ms = now_ms + phase_timeout(g, p);
}

void http_guard_close(struct http_guard *g, struct http_guard_conn *conn)
{
	struct client *c = find_client(g, &conn->key);

	if (conn->shut) {
		g->shut--;
		if (c)
			c->shut--;
	}
	if (c && !--c->conns)
		*c = g->clients[--g->n_clients];
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		g->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	g->stats.open--;
	free(conn);
}

int http_guard_expire(struct http_guard *g, uint64_t now_ms)
{
	int n = 0;

	for (struct http_guard_conn *c = g->conns; c; c = c->next) {
		if (c->shut || now_ms < c->deadline_ms)
			continue;
		g->stats.timed_out[c->phase]++;
		shut(g, c);
		n++;
	}
	return n;
}

int http_guard_shut_idle(struct http_guard *g)
{
	int n = 0;

	for (struct http_guard_conn *c = g->conns; c; c = c->next) {
		if (c->shut || c->phase != HTTP_PHASE_IDLE)
			continue;
		shut(g, c);
		n++;
	}
	return n;
}

int64_t http_guard_next_ms(const struct http_guard *g, uint64_t now_ms)
{
	int64_t next = -1;

	for (const struct http_guard_conn *c = g->conns; c; c = c->next) {
		int64_t left;

		if (c->shut)
			continue;
		left = c->deadline_ms > now_ms ? (int64_t)(c->deadline_ms - now_ms) : 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}

void http_guard_stats(const struct http_guard *g, struct http_stats *out)
{
	*out = g->stats;
}
