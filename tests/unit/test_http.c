// SPDX-License-Identifier: GPL-2.0
/*
 * Runs http.c in the daemon's own event loop (event_loop.c) in a second
 * thread, and talks to it with plain sockets so that malformed and
 * pipelined requests can be sent byte for byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"
#include "daemon.h"
#include "event_loop.h"
#include "http.h"

#define METRICS_BODY "# HELP up Up.\n# TYPE up gauge\nup 1\n"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The local port a socket is bound to (after binding port 0), or -1. */
static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

static atomic_int handler_calls; /* the routes' ctx */
static atomic_int park_loop;	 /* /park holds the loop, so that requests pile up */
static atomic_int parked;	 /* ... and says that it does */
static int server_port;

static int fill(struct http_body *out, const char *text, const char *type)
{
	out->body = strdup(text);
	if (!out->body)
		return -1;
	out->len = strlen(text);
	out->content_type = type;
	return 0;
}

static int h_metrics(void *ctx, const char *id, struct http_body *out)
{
	(void)id;
	atomic_fetch_add((atomic_int *)ctx, 1);
	return fill(out, METRICS_BODY, METRICS_TYPE);
}

static int h_echo(void *ctx, const char *id, struct http_body *out)
{
	char text[128];

	atomic_fetch_add((atomic_int *)ctx, 1);
	snprintf(text, sizeof(text), "id=%s\n", id ? id : "(none)");
	return fill(out, text, "text/plain");
}

/* Leaves a body behind on failure: the server must still free it. */
static int h_fail(void *ctx, const char *id, struct http_body *out)
{
	(void)id;
	atomic_fetch_add((atomic_int *)ctx, 1);
	fill(out, "partial", "text/plain");
	return -1;
}

static int h_busy(void *ctx, const char *id, struct http_body *out)
{
	(void)id;
	atomic_fetch_add((atomic_int *)ctx, 1);
	out->status = 503;
	return fill(out, "busy\n", "text/plain");
}

static int h_empty(void *ctx, const char *id, struct http_body *out)
{
	(void)id;
	atomic_fetch_add((atomic_int *)ctx, 1);
	out->content_type = "text/plain";
	return 0;
}

/* Far more than the socket buffers hold, so the server is still writing. */
#define BIG_LEN (8 << 20)

static int h_big(void *ctx, const char *id, struct http_body *out)
{
	(void)id;
	atomic_fetch_add((atomic_int *)ctx, 1);
	out->body = malloc(BIG_LEN);
	if (!out->body)
		return -1;
	memset(out->body, 'x', BIG_LEN);
	out->len = BIG_LEN;
	out->content_type = "text/plain";
	return 0;
}

/* Holds the event loop inside a handler until the test lets it go. */
static int h_park(void *ctx, const char *id, struct http_body *out)
{
	(void)ctx;
	(void)id;
	atomic_store(&parked, 1);
	while (atomic_load(&park_loop))
		usleep(1000);
	atomic_store(&parked, 0);
	return fill(out, "parked\n", "text/plain");
}

static const struct http_route routes[] = {
	{ "/park", h_park }, { "/metrics", h_metrics },
	{ "/echo", h_echo }, { "/fail", h_fail },
	{ "/busy", h_busy }, { "/empty", h_empty },
	{ "/big", h_big },   { "/shared", h_metrics, true },
};

/* Small, so that the tests reach every limit quickly. */
static const struct http_limits limits = {
	.max_connections = 16,
	.max_connections_per_client = 8,
	.header_timeout_ms = 400,
	.idle_timeout_ms = 2000,
};
/* Plain HTTP, no users: TLS and basic auth are tested against the daemon (test_web_tls.sh). */
static const struct web_config plain;
static struct http_server *server;

static struct daemon no_probes;
static int loop_result = -1;

/* The daemon's real loop, with no probes; SIGTERM to this thread ends it. */
static void *serve(void *arg)
{
	loop_result = event_loop_run(&no_probes, arg);
	return NULL;
}

/* A client at 127.0.0.N: each loopback address is another client to the server. */
static int connect_from(int n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(server_port) };
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + n - 1);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_server(void)
{
	return connect_from(1);
}

/*
 * Sends req (plus extra bytes of body filler) and reads until the server
 * closes.  A server that answers early may reset the connection while the
 * filler is still going out; what was received until then is kept.
 */
static char *exchange_with_filler(const char *req, size_t filler)
{
	size_t cap = 1 << 16, len = 0, off = 0, chunk;
	char *buf = malloc(cap + 1);
	char zeros[4096] = { 0 };
	int fd = connect_server();
	ssize_t n;

	CHECK(fd >= 0);
	if (fd < 0 || !buf) {
		free(buf);
		return NULL;
	}
	while (off < strlen(req)) {
		n = send(fd, req + off, strlen(req) - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += n;
	}
	for (off = 0; off < filler; off += chunk) {
		chunk = filler - off < sizeof(zeros) ? filler - off : sizeof(zeros);
		if (send(fd, zeros, chunk, MSG_NOSIGNAL) <= 0)
			break;
	}
	while (len < cap) {
		n = recv(fd, buf + len, cap - len, 0);
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

static char *exchange(const char *req)
{
	return exchange_with_filler(req, 0);
}

static int status_of(const char *resp)
{
	int code = 0;

	if (!resp || sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
		return 0;
	return code;
}

/* Value of a response header (case-insensitive name), copied into val. */
static const char *header_of(const char *resp, const char *name, char *val, size_t size)
{
	const char *end = resp ? strstr(resp, "\r\n\r\n") : NULL;
	size_t nlen = strlen(name);
	const char *p;

	if (!end)
		return NULL;
	for (p = strstr(resp, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2, *eol = strstr(line, "\r\n");

		if (!strncasecmp(line, name, nlen) && line[nlen] == ':') {
			line += nlen + 1;
			while (*line == ' ')
				line++;
			snprintf(val, size, "%.*s", (int)(eol - line), line);
			return val;
		}
	}
	return NULL;
}

static const char *body_of(const char *resp)
{
	const char *p = resp ? strstr(resp, "\r\n\r\n") : NULL;

	return p ? p + 4 : NULL;
}

static void test_get_and_head(void)
{
	char val[128], want[32];
	char *r;

	r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 200);
	CHECK_STR_EQ(header_of(r, "Content-Type", val, sizeof(val)), METRICS_TYPE);
	CHECK_STR_EQ(body_of(r), METRICS_BODY);
	free(r);

	r = exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 200);
	snprintf(want, sizeof(want), "%zu", strlen(METRICS_BODY));
	CHECK_STR_EQ(header_of(r, "Content-Length", val, sizeof(val)), want);
	CHECK_STR_EQ(header_of(r, "Content-Type", val, sizeof(val)), METRICS_TYPE);
	CHECK_STR_EQ(body_of(r), "");
	free(r);

	/* A body on a GET is read and ignored, however many chunks it takes. */
	r = exchange("GET /echo?id=b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		     "Content-Length: 5\r\n\r\nhello");
	CHECK(status_of(r) == 200);
	CHECK_STR_EQ(body_of(r), "id=b\n");
	free(r);
	r = exchange_with_filler("GET /echo?id=c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
				 "Content-Length: 200000\r\n\r\n",
				 200000);
	CHECK(status_of(r) == 200);
	CHECK_STR_EQ(body_of(r), "id=c\n");
	free(r);

	/* HTTP/1.0 clients get a close-delimited answer too. */
	r = exchange("GET /metrics HTTP/1.0\r\n\r\n");
	CHECK(status_of(r) == 200);
	CHECK_STR_EQ(body_of(r), METRICS_BODY);
	free(r);
}

static void test_not_found(void)
{
	char val[128];
	char *r;

	r = exchange("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 404);
	CHECK_STR_EQ(body_of(r), "not found\n");
	CHECK_CONTAINS(header_of(r, "Content-Type", val, sizeof(val)), "text/plain");
	free(r);

	/* Matching is exact: no prefix, no trailing slash. */
	r = exchange("GET /metrics/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 404);
	free(r);
	r = exchange("GET /metricsx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 404);
	free(r);
}

static void test_method_not_allowed(void)
{
	int calls = atomic_load(&handler_calls);
	char val[128];
	char *r;

	r = exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		     "Content-Type: application/x-www-form-urlencoded\r\n"
		     "Content-Length: 3\r\n\r\na=b");
	CHECK(status_of(r) == 405);
	CHECK_STR_EQ(header_of(r, "Allow", val, sizeof(val)), "GET, HEAD");
	CHECK_STR_EQ(body_of(r), "method not allowed\n");
	free(r);

	/* A body far larger than MHD's buffer: it must not be fed to a handler. */
	r = exchange_with_filler("PUT /metrics HTTP/1.1\r\nHost: x\r\n"
				 "Content-Length: 1048576\r\n\r\n",
				 1048576);
	CHECK(status_of(r) == 405);
	free(r);

	/* The answer goes out without "100 Continue" and without waiting for the body. */
	r = exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		     "Expect: 100-continue\r\nContent-Length: 10\r\n\r\n");
	CHECK(status_of(r) == 405);
	free(r);

	r = exchange("DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 405);
	free(r);

	CHECK(atomic_load(&handler_calls) == calls);
}

static void test_malformed(void)
{
	char *r;

	/*
	 * MHD 0.9.75 hangs up on a request line without any space before the
	 * access handler could answer, so "no reply" is accepted next to a 4xx.
	 */
	r = exchange("BLAH\r\n\r\n");
	CHECK(r && (!*r || (status_of(r) >= 400 && status_of(r) < 500)));
	free(r);

	r = exchange("BLAH /metrics\r\n\r\n");
	CHECK(status_of(r) == 400);
	free(r);

	r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n");
	CHECK(status_of(r) >= 400 && status_of(r) < 500);
	free(r);

	/* ... and the server keeps serving. */
	r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 200);
	free(r);
}

static void test_id_arg(void)
{
	char *r;

	r = exchange("GET /echo?id=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 200);
	CHECK_STR_EQ(body_of(r), "id=abc\n");
	free(r);

	r = exchange("GET /echo?x=1&id=a%20b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK_STR_EQ(body_of(r), "id=a b\n");
	free(r);

	r = exchange("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK_STR_EQ(body_of(r), "id=(none)\n");
	free(r);
}

static void test_handler_results(void)
{
	char val[128];
	char *r;

	r = exchange("GET /fail HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 500);
	free(r);

	r = exchange("GET /busy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 503);
	CHECK_STR_EQ(body_of(r), "busy\n");
	free(r);

	r = exchange("GET /empty HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 200);
	CHECK_STR_EQ(header_of(r, "Content-Length", val, sizeof(val)), "0");
	CHECK_STR_EQ(body_of(r), "");
	free(r);
}

/* Reads one response whose length is given by Content-Length. */
static bool read_response(int fd, char *buf, size_t cap)
{
	size_t len = 0, need = 0;
	char val[32];
	ssize_t n;

	while (len < cap - 1) {
		const char *body;

		buf[len] = '\0';
		body = body_of(buf);
		if (body && !need) {
			if (!header_of(buf, "Content-Length", val, sizeof(val)))
				return false;
			need = (body - buf) + strtoul(val, NULL, 10);
		}
		if (need && len >= need)
			return len == need;
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			return false;
		len += n;
	}
	return false;
}

/* Prometheus keeps its connection between scrapes. */
static void test_keepalive(void)
{
	const char *req = "GET /echo?id=1 HTTP/1.1\r\nHost: x\r\n\r\n";
	int fd = connect_server();
	char buf[4096], val[64];
	int i;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	for (i = 0; i < 3; i++) {
		CHECK(send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req));
		CHECK(read_response(fd, buf, sizeof(buf)));
		CHECK(status_of(buf) == 200);
		CHECK_STR_EQ(body_of(buf), "id=1\n");
		CHECK(!header_of(buf, "Connection", val, sizeof(val)) || strcasecmp(val, "close"));
	}
	close(fd);
}

/*
 * Both requests arrive in one segment, so after the first answer nothing
 * wakes MHD's epoll fd: the second is only served because the loop honours
 * http_server_timeout_ms(), which is 0 while MHD holds buffered work.
 */
static void test_pipelined(void)
{
	const char *second;
	char *r;

	r = exchange("GET /echo?id=1 HTTP/1.1\r\nHost: x\r\n\r\n"
		     "GET /echo?id=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 200);
	CHECK_CONTAINS(r, "id=1\n");
	second = r ? strstr(r + 1, "HTTP/1.1 ") : NULL;
	CHECK(status_of(second) == 200);
	CHECK_CONTAINS(second, "id=2\n");
	free(r);
}

/* True when the server closed fd (EOF or reset) within ms milliseconds. */
static bool closed_within(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };
	char buf[512];
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n > 0);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static uint64_t stat_rejected(enum http_reject_reason r)
{
	struct http_stats st;

	http_server_stats(server, &st);
	return st.rejected[r];
}

/* Lets connections of earlier tests, idle until their deadline, go first. */
static void wait_no_connections(void)
{
	struct http_stats st;

	for (int i = 0; i < 50; i++) {
		http_server_stats(server, &st);
		if (!st.open)
			return;
		usleep(100000);
	}
	CHECK(st.open == 0);
}

static uint64_t stat_timed_out(enum http_conn_phase p)
{
	struct http_stats st;

	http_server_stats(server, &st);
	return st.timed_out[p];
}

static uint64_t stat_evicted(enum http_reject_reason r)
{
	struct http_stats st;

	http_server_stats(server, &st);
	return st.evicted[r];
}

/* Connects from client `from` and asks for /big, never reading it: its response stays in flight. */
static int connect_busy(int from)
{
	const char *req = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
	int fd = connect_from(from);

	CHECK(fd >= 0 && send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req));
	return fd;
}

/* A connection from `from` that must be admitted and answered. */
static void knock_served(int from)
{
	const char *req = "GET /echo?id=fair HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int fd = connect_from(from);
	char buf[512] = "";
	ssize_t got;

	CHECK(fd >= 0 && send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req));
	got = recv(fd, buf, sizeof(buf) - 1, MSG_WAITALL);
	buf[got > 0 ? got : 0] = '\0';
	CHECK(status_of(buf) == 200);
	CHECK_CONTAINS(buf, "id=fair\n");
	close(fd);
}

/* Still open, the server still writing its response. */
static bool still_answering(int fd)
{
	char buf[4096];

	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0;
}

/*
 * A new connection is admitted at either limit: the connection of that
 * scope (its client's, or any) that has waited longest for a request is
 * closed in its place, and one whose response is in flight never is.  Only
 * when every connection in scope is being answered is the new one refused.
 * Evictions and refusals are counted by the limit reached.
 */
static void test_connection_limits(void)
{
	uint64_t client_ev0 = stat_evicted(HTTP_REJECT_CLIENT_LIMIT);
	uint64_t total_ev0 = stat_evicted(HTTP_REJECT_CONNECTION_LIMIT);
	uint64_t client_rej0 = stat_rejected(HTTP_REJECT_CLIENT_LIMIT);
	struct http_limits patient = limits;
	int busy[9], held[8], n_busy = 0, squatter, i;

	wait_no_connections();
	/* Squatters must outlive the test unless evicted. */
	patient.header_timeout_ms = 10000;
	patient.idle_timeout_ms = 10000;
	http_server_set_limits(server, &patient);

	/* Client 2 at its limit: one answered, then seven squatters, oldest first. */
	busy[n_busy++] = connect_busy(2);
	usleep(100000);
	for (i = 1; i < 8; i++) {
		held[i] = connect_from(2);
		usleep(20000);
	}
	usleep(100000);
	knock_served(2);
	CHECK(closed_within(held[1], 500));
	CHECK(stat_evicted(HTTP_REJECT_CLIENT_LIMIT) == client_ev0 + 1);
	CHECK(still_answering(busy[0]));
	/* The squatters go, oldest first; the answered one stays. */
	squatter = connect_from(2);
	usleep(100000);
	knock_served(2);
	CHECK(closed_within(held[2], 500));
	CHECK(still_answering(busy[0]));
	CHECK(stat_evicted(HTTP_REJECT_CLIENT_LIMIT) == client_ev0 + 2);

	/* Client 4 with every slot answering: nothing to evict, the new one is refused. */
	for (i = 0; i < 8; i++)
		busy[n_busy++] = connect_busy(4);
	usleep(300000);
	held[0] = connect_from(4);
	CHECK(held[0] >= 0 && closed_within(held[0], 300));
	close(held[0]);
	CHECK(stat_rejected(HTTP_REJECT_CLIENT_LIMIT) == client_rej0 + 1);

	/*
	 * The server full (client 2: 1 + 6, client 4: 8, client 3: 1): another
	 * client gets in, in place of the oldest squatter of any client.
	 */
	held[1] = connect_from(3);
	held[2] = -1;
	usleep(200000);
	knock_served(5);
	CHECK(closed_within(held[3], 500));
	CHECK(stat_evicted(HTTP_REJECT_CONNECTION_LIMIT) == total_ev0 + 1);
	for (i = 0; i < n_busy; i++)
		CHECK(still_answering(busy[i]));

	for (i = 0; i < n_busy; i++)
		close(busy[i]);
	for (i = 1; i < 8; i++)
		close(held[i]);
	close(squatter);
	wait_no_connections();
	http_server_set_limits(server, &limits);
}

/*
 * A client that keeps sending, one header byte at a time, is closed at the
 * header deadline all the same: libmicrohttpd's timeout would restart with
 * every byte.
 */
static void test_header_deadline(void)
{
	const char *req =
		"GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	uint64_t before = stat_timed_out(HTTP_PHASE_HEADERS);
	struct timeval tv = { .tv_usec = 50000 };
	int fd = connect_server();
	bool closed = false;
	char c;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* 100 ms a byte: 30 bytes would take 3 s; the deadline is 400 ms. */
	for (size_t i = 0; i < 30 && !closed; i++) {
		if (send(fd, req + i, 1, MSG_NOSIGNAL) != 1)
			closed = true;
		else if (recv(fd, &c, 1, 0) == 0)
			closed = true;
		usleep(50000);
	}
	CHECK(closed || closed_within(fd, 500));
	CHECK(stat_timed_out(HTTP_PHASE_HEADERS) == before + 1);
	close(fd);
}

/* A kept-alive connection with no next request is closed at the idle deadline. */
static void test_idle_deadline(void)
{
	const char *req = "GET /echo?id=idle HTTP/1.1\r\nHost: x\r\n\r\n";
	uint64_t before = stat_timed_out(HTTP_PHASE_IDLE);
	struct timeval tv = { .tv_sec = 1 };
	char buf[512];
	int fd = connect_server();

	CHECK(fd >= 0 && send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	CHECK(recv(fd, buf, sizeof(buf), 0) > 0);
	/* Still open well before the deadline (2 s), closed soon after it. */
	usleep(1000000);
	CHECK(stat_timed_out(HTTP_PHASE_IDLE) == before);
	CHECK(closed_within(fd, 2500));
	CHECK(stat_timed_out(HTTP_PHASE_IDLE) == before + 1);
	close(fd);
}

/*
 * Requests waiting together get one rendering of a shared route; one that
 * comes after the server's run renders again.
 */
static void test_shared_rendering(void)
{
	const char *req = "GET /shared HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	const char *park_req = "GET /park HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int calls, fd[4], park;
	char buf[512];
	char *r;

	for (int i = 0; i < 4; i++)
		fd[i] = connect_server();
	usleep(200000); /* accepted */
	calls = atomic_load(&handler_calls);
	/* Park the loop in a handler; the four requests then wait together. */
	atomic_store(&park_loop, 1);
	park = connect_server();
	CHECK(park >= 0 &&
	      send(park, park_req, strlen(park_req), MSG_NOSIGNAL) == (ssize_t)strlen(park_req));
	while (!atomic_load(&parked))
		usleep(1000);
	for (int i = 0; i < 4; i++)
		CHECK(fd[i] >= 0 &&
		      send(fd[i], req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req));
	usleep(100000);
	atomic_store(&park_loop, 0);
	if (park >= 0) {
		ssize_t n = recv(park, buf, sizeof(buf) - 1, MSG_WAITALL);

		buf[n > 0 ? n : 0] = '\0';
		CHECK_CONTAINS(buf, "parked");
		close(park);
	}
	for (int i = 0; i < 4; i++) {
		ssize_t n = recv(fd[i], buf, sizeof(buf) - 1, MSG_WAITALL);

		buf[n > 0 ? n : 0] = '\0';
		CHECK(status_of(buf) == 200);
		CHECK_CONTAINS(buf, METRICS_BODY);
		close(fd[i]);
	}
	CHECK(atomic_load(&handler_calls) == calls + 1);
	/* Once the server's run is over, each request renders anew. */
	for (int i = 0; i < 2; i++) {
		usleep(50000);
		r = exchange(req);
		CHECK(status_of(r) == 200);
		free(r);
	}
	CHECK(atomic_load(&handler_calls) == calls + 3);
}

/*
 * A client resetting the connection mid-response makes the server's next
 * send fail with EPIPE or ECONNRESET; SIGPIPE would kill this whole test.
 */
static void test_client_hangup(void)
{
	const char *req = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	char buf[256];
	char *r;
	int fd, i;

	for (i = 0; i < 3; i++) {
		fd = connect_server();
		CHECK(fd >= 0);
		if (fd < 0)
			return;
		CHECK(send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req));
		CHECK(recv(fd, buf, sizeof(buf), MSG_WAITALL) == sizeof(buf));
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		close(fd);
	}
	usleep(100000);
	r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(r) == 200);
	free(r);
}

static void test_start_failure(void)
{
	char err[256] = "";
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* Not a socket: MHD cannot put it in its epoll set. */
	CHECK(http_server_start(fd, routes, 1, NULL, &limits, &plain, err, sizeof(err)) == NULL);
	CHECK(!strncmp(err, "cannot start HTTP server", 24));
	CHECK(!strchr(err, '\n'));
	CHECK(fcntl(fd, F_GETFD) != -1);
	close(fd);

	CHECK(http_server_start(-1, routes, 1, NULL, &limits, &plain, err, sizeof(err)) == NULL);
	CHECK_STR_EQ(err, "cannot start HTTP server: no listening socket");
}

static void test_listen_errors(int busy_port)
{
	char addr[64], err[256], want[128];
	int fd, port;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", busy_port);
	err[0] = '\0';
	fd = listen_socket_open(addr, err, sizeof(err));
	CHECK(fd == -EADDRINUSE);
	snprintf(want, sizeof(want), "cannot listen on %s: Address already in use", addr);
	CHECK_STR_EQ(err, want);
	CHECK(!strchr(err, '\n'));

	fd = listen_socket_open("localhost:80", err, sizeof(err));
	CHECK(fd == -EINVAL);
	CHECK(!strncmp(err, "cannot listen on \"localhost:80\": ", 33));
	CHECK(!strchr(err, '\n'));

	/* The wildcard takes IPv4 clients too, whether or not the host has IPv6. */
	fd = listen_socket_open(":0", err, sizeof(err));
	CHECK(fd >= 0);
	port = fd >= 0 ? local_port(fd) : -1;
	CHECK(port > 0);
	if (fd >= 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CHECK(c >= 0 && connect(c, (struct sockaddr *)&sin, sizeof(sin)) == 0);
		CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
		close(c);
		close(fd);
	}
}

int main(void)
{
	struct http_server *s;
	pthread_t thread;
	char err[256] = "";
	int fd;

	fd = listen_socket_open("127.0.0.1:0", err, sizeof(err));
	CHECK(fd >= 0);
	if (fd < 0) {
		fprintf(stderr, "%s\n", err);
		return check_summary("test_http");
	}
	server_port = local_port(fd);
	CHECK(server_port > 0);
	s = http_server_start(fd, routes, sizeof(routes) / sizeof(routes[0]), &handler_calls,
			      &limits, &plain, err, sizeof(err));
	server = s;
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return check_summary("test_http");
	}
	CHECK(http_server_fd(s) >= 0);
	CHECK(http_server_timeout_ms(s) == -1);
	if (pthread_create(&thread, NULL, serve, s)) {
		fprintf(stderr, "pthread_create failed\n");
		return 2;
	}

	test_get_and_head();
	test_not_found();
	test_method_not_allowed();
	test_malformed();
	test_id_arg();
	test_handler_results();
	test_keepalive();
	test_pipelined();
	test_connection_limits();
	test_header_deadline();
	test_idle_deadline();
	test_shared_rendering();
	test_client_hangup();
	test_listen_errors(server_port);

	/* As systemctl stop does, but to the loop's thread: the test's own thread goes on. */
	CHECK(pthread_kill(thread, SIGTERM) == 0);
	pthread_join(thread, NULL);
	CHECK(loop_result == 0);
	http_server_stop(s);
	/* The server owns the listening socket and closes it on stop. */
	CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	test_start_failure();
	return check_summary("test_http");
}
