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
	uint32_t owed; /* evictions promised to new connections at this client's limit */
};

struct http_guard_conn {
	struct http_guard_conn *prev, *next;
	int fd;
	enum http_conn_phase phase;
	uint64_t deadline_ms;
	uint64_t waiting_since_ms; /* headers or idle: since when no request is in progress */
	bool shut;
	bool spoke;	   /* see http_guard_spoke() */
	struct client key; /* conns and shut unused */
};

struct http_guard {
	struct http_limits lim;
	struct http_guard_conn *conns;
	uint64_t shut;	     /* connections shut, their close not yet seen */
	uint64_t owed_any;   /* evictions promised at the server's limit */
	uint64_t owed_total; /* those and the clients' */
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

static bool waiting_for_request(const struct http_guard_conn *c, const struct client *key)
{
	return !c->shut && c->phase != HTTP_PHASE_RESPONSE && (!key || same_client(&c->key, key));
}

/*
 * The connection of client key (any client when NULL) that has waited
 * longest for a request.  A scan: the limits keep the list short, and the
 * deadlines scan it every run anyway.
 */
static struct http_guard_conn *oldest_waiting(struct http_guard *g, const struct client *key)
{
	struct http_guard_conn *victim = NULL;

	for (struct http_guard_conn *c = g->conns; c; c = c->next) {
		if (!waiting_for_request(c, key))
			continue;
		if (!victim || (victim->spoke && !c->spoke) ||
		    (victim->spoke == c->spoke && c->waiting_since_ms <= victim->waiting_since_ms))
			victim = c;
	}
	return victim;
}

void http_guard_spoke(struct http_guard_conn *c)
{
	c->spoke = true;
}

static uint64_t count_waiting(const struct http_guard *g, const struct client *key)
{
	uint64_t n = 0;

	for (const struct http_guard_conn *c = g->conns; c; c = c->next)
		n += waiting_for_request(c, key);
	return n;
}

/*
 * The eviction is promised here and done by http_guard_settle(), after the
 * server's run: a connection accepted with its request already in the socket
 * (a client that waited in the backlog) has been read by then, and is no
 * longer a candidate, whatever number of connections came after it.
 */
bool http_guard_admit(struct http_guard *g, const struct sockaddr *addr)
{
	enum http_reject_reason why;
	struct client key, *c;
	uint64_t owed;

	client_key(addr, &key);
	c = find_client(g, &key);
	if (c && c->conns - c->shut - c->owed >= g->lim.max_connections_per_client) {
		why = HTTP_REJECT_CLIENT_LIMIT;
		owed = c->owed;
	} else if (g->stats.open - g->shut - g->owed_total >= g->lim.max_connections) {
		why = HTTP_REJECT_CONNECTION_LIMIT;
		owed = g->owed_total;
	} else {
		return true;
	}
	if (count_waiting(g, why == HTTP_REJECT_CLIENT_LIMIT ? &key : NULL) <= owed) {
		g->stats.rejected[why]++;
		return false;
	}
	if (why == HTTP_REJECT_CLIENT_LIMIT)
		c->owed++;
	else
		g->owed_any++;
	g->owed_total++;
	return true;
}

/* At the server's limit, the client holding the most slots gives one up first. */
static struct http_guard_conn *victim_any(struct http_guard *g)
{
	struct http_guard_conn *v = NULL;
	struct client *most = NULL;

	for (size_t i = 0; i < g->n_clients; i++) {
		struct client *c = &g->clients[i];

		if (!most || c->conns - c->shut > most->conns - most->shut)
			most = c;
	}
	if (most)
		v = oldest_waiting(g, most);
	return v ? v : oldest_waiting(g, NULL);
}

int http_guard_settle(struct http_guard *g)
{
	struct http_guard_conn *v;
	int n = 0;

	for (size_t i = 0; i < g->n_clients; i++) {
		struct client key = g->clients[i];

		for (; g->clients[i].owed; g->clients[i].owed--) {
			v = oldest_waiting(g, &key);
			if (!v)
				break;
			shut(g, v);
			g->stats.evicted[HTTP_REJECT_CLIENT_LIMIT]++;
			n++;
		}
		g->clients[i].owed = 0;
	}
	for (; g->owed_any; g->owed_any--) {
		v = victim_any(g);
		if (!v)
			break;
		shut(g, v);
		g->stats.evicted[HTTP_REJECT_CONNECTION_LIMIT]++;
		n++;
	}
	g->owed_any = g->owed_total = 0;
	return n;
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
	if (p != HTTP_PHASE_RESPONSE && (c->phase == HTTP_PHASE_RESPONSE || !c->waiting_since_ms)) {
		c->waiting_since_ms = now_ms ?: 1;
		c->spoke = false;
	}
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
