// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP server as the daemon runs it: http.c and its guard on
 * libmicrohttpd, serving the daemon's own routes (http_routes.c: "/",
 * "/metrics", "/stacks", "/stacks?id=", "/flamegraph" and
 * "/flamegraph?reason=") for a daemon with no probes
 * and two stacks.
 * Each input is the bytes one client sends on a real loopback TCP
 * connection before it half-closes; the server's loop runs in this thread,
 * as in the daemon, until the server closes the connection.
 *
 * Besides crashes, it fails when the server does not close the connection
 * within the header deadline, or answers with anything but HTTP/1.x.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "counter_carry.h"
#include "daemon.h"
#include "http.h"
#include "http_routes.h"
#include "ksyms.h"
#include "skbtrace.h"
#include "stacks.h"

/* The header deadline of the guard bounds how long one input can take. */
#define HEADER_TIMEOUT_MS 1000
#define GIVE_UP_MS (3 * HEADER_TIMEOUT_MS)
#define WAIT_MS 50

static struct daemon daemon_state;
static struct served served = { .d = &daemon_state };
static struct sockaddr_in server_addr;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	perror(what);
	abort();
}

/* Synthetic addresses: the corpus holds no real kernel's. */
static const char kallsyms[] = "ffffffff81a3c110 T kfree_skb_reason\n"
			       "ffffffff81b20c40 T nf_hook_slow\n"
			       "ffffffffc0a01000 t nft_do_chain\t[nf_tables]\n";

static const char *write_memfd(const char *text, size_t len)
{
	static char path[64];
	int fd = memfd_create("fuzz-kallsyms", MFD_CLOEXEC);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		die("memfd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return path;
}

/*
 * Two stacks in the table, read from a map as the probes' stack maps are
 * read, so that "/stacks?id=" has ids to find (their ids are in http.dict).
 * Without the privilege to create a map the table stays empty.
 */
static void load_stacks(struct stack_table *t)
{
	uint64_t ips[SKBTRACE_MAX_STACK_DEPTH] = { 0xffffffff81a3c110 + 0x1f,
						   0xffffffffc0a01000 + 1135,
						   0xffffffff81b20c40 + 0x55 };
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "fuzz_stacks", sizeof(int32_t), sizeof(ips), 4,
				NULL);

	if (fd < 0) {
		fprintf(stderr, "no BPF map (%s): /stacks is empty\n", strerror(errno));
		return;
	}
	for (int32_t id = 0; id < 2; id++) {
		ips[0] += id;
		if (bpf_map_update_elem(fd, &id, ips, BPF_ANY) || !stack_table_id(t, fd, id))
			die("stack");
		fprintf(stderr, "stack %d: %s\n", id, stack_table_id(t, fd, id));
	}
	stack_table_forget_map(t, fd);
	close(fd);
}

/*
 * In the log of a run: connections refused or timed out mean inputs that
 * never reached the parser, so a high count would be a harness problem.
 */
static void print_stats(void)
{
	struct http_stats st;

	http_server_stats(served.http, &st);
	fprintf(stderr,
		"http: refused %" PRIu64 " (limit) + %" PRIu64 " (per client), timed out %" PRIu64
		" (headers) %" PRIu64 " (response) %" PRIu64 " (idle), open %" PRIu64 "\n",
		st.rejected[HTTP_REJECT_CONNECTION_LIMIT], st.rejected[HTTP_REJECT_CLIENT_LIMIT],
		st.timed_out[HTTP_PHASE_HEADERS], st.timed_out[HTTP_PHASE_RESPONSE],
		st.timed_out[HTTP_PHASE_IDLE], st.open);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const struct http_limits lim = {
		.max_connections = 64,
		.max_connections_per_client = 16,
		.header_timeout_ms = HEADER_TIMEOUT_MS,
		.idle_timeout_ms = HEADER_TIMEOUT_MS,
	};
	static const struct web_config plain_http;
	socklen_t len = sizeof(server_addr);
	char err[256];
	int fd;

	daemon_state.ksyms = ksym_cache_new(write_memfd(kallsyms, sizeof(kallsyms) - 1));
	daemon_state.stacks = stack_table_new(daemon_state.ksyms);
	daemon_state.carry = counter_carry_new();
	if (!daemon_state.ksyms || !daemon_state.stacks || !daemon_state.carry)
		die("daemon state");
	load_stacks(daemon_state.stacks);
	fd = listen_socket_open("127.0.0.1:0", err, sizeof(err));
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&server_addr, &len) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	served.http = http_server_start(fd, skbtrace_routes, skbtrace_n_routes, &served, &lim,
					&plain_http, err, sizeof(err));
	if (!served.http) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	atexit(print_stats);
	return 0;
}

/*
 * Runs the server once, after waiting at most max_wait_ms for the client's
 * socket to be readable or for the server to want to run.
 */
static void serve_once(int client, int max_wait_ms)
{
	struct pollfd p[2] = {
		{ .fd = http_server_fd(served.http), .events = POLLIN },
		{ .fd = client, .events = POLLIN },
	};
	int timeout = http_server_timeout_ms(served.http);

	if (timeout < 0 || timeout > max_wait_ms)
		timeout = max_wait_ms;
	poll(p, 2, timeout);
	if (http_server_run(served.http) < 0) {
		fprintf(stderr, "http_server_run failed\n");
		abort();
	}
}

static void check_response(const char *resp, size_t len)
{
	if (len && (len < 9 || memcmp(resp, "HTTP/1.", 7))) {
		fprintf(stderr, "not an HTTP/1.x response: %.*s\n", (int)(len < 64 ? len : 64),
			resp);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char resp[256], rest[4096];
	size_t sent = 0, got = 0;
	uint64_t start = now_ms();
	int client;

	client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (client < 0)
		die("socket");
	if (connect(client, (struct sockaddr *)&server_addr, sizeof(server_addr)) < 0 &&
	    errno != EINPROGRESS)
		die("connect");
	while (sent < size) {
		ssize_t n = send(client, data + sent, size - sent, MSG_NOSIGNAL);

		if (n > 0)
			sent += n;
		else if (n < 0 && errno != EAGAIN && errno != ENOTCONN)
			break; /* the server refused the rest and closed */
		serve_once(client, WAIT_MS);
	}
	/*
	 * The server must have read everything before the FIN comes: in edge-
	 * triggered epoll, libmicrohttpd misses a FIN that arrives with the
	 * last bytes and waits for the guard's deadline (a slow input, no error).
	 */
	for (int i = 0; i < 3; i++)
		serve_once(client, 0);
	shutdown(client, SHUT_WR);
	for (;;) {
		/* Only the start is checked; the rest is read and dropped. */
		char *dst = got < sizeof(resp) ? resp + got : rest;
		size_t room = got < sizeof(resp) ? sizeof(resp) - got : sizeof(rest);
		ssize_t n = recv(client, dst, room, 0);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		if (n > 0) {
			if (dst != rest)
				got += n;
			continue;
		}
		if (errno != EAGAIN)
			die("recv");
		if (now_ms() - start > GIVE_UP_MS) {
			fprintf(stderr, "the server kept the connection open for %d ms\n",
				GIVE_UP_MS);
			abort();
		}
		serve_once(client, WAIT_MS);
	}
	close(client);
	check_response(resp, got);
	/* Let the server see the close, so that the next input finds no stale connection. */
	serve_once(-1, 0);
	return 0;
}
