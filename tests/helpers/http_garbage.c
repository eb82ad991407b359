// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace-http-garbage: malformed HTTP requests for the daemon's server,
 * one connection each, from WORKERS processes at a time (worker w connects
 * from SRC + w, so that the per-client limit does not turn them away).
 * Each connection sends its request (a short send is fine: the server may
 * refuse the rest), ends its side and reads until the server closes it or
 * WAIT seconds have passed.
 *
 *   skbtrace-http-garbage ADDR PORT COUNT WORKERS WAIT SRC
 *
 * Prints "connects N closed M responses R held H": connections made, closed
 * by the server within WAIT, answered with an HTTP status line, and still
 * open after WAIT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MAX_REQUEST ((1 << 20) + 4096)

struct totals {
	long connects, closed, responses, held;
};

static struct sockaddr_in server;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes the request of kind i into buf; returns its length. */
static size_t garbage_request(long i, char *buf, size_t size)
{
	size_t n;

	switch (i % 10) {
	case 0: /* binary junk */
		for (n = 0; n < 512; n++)
			buf[n] = (char)((i * 131 + n * 7919) & 0xff);
		return n;
	case 1: /* a 1 MB header */
		n = snprintf(buf, size, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-big: ");
		memset(buf + n, 'a', 1 << 20);
		n += 1 << 20;
		return n + snprintf(buf + n, size - n, "\r\n\r\n");
	case 2: /* 10,000 headers */
		n = snprintf(buf, size, "GET /metrics HTTP/1.1\r\nHost: x\r\n");
		for (int h = 0; h < 10000 && n + 32 < size; h++)
			n += snprintf(buf + n, size - n, "X-%d: v\r\n", h);
		return n + snprintf(buf + n, size - n, "\r\n");
	case 3: /* a 64 KB URL */
		n = snprintf(buf, size, "GET /stacks?id=");
		memset(buf + n, 'f', 65536);
		n += 65536;
		return n + snprintf(buf + n, size - n, " HTTP/1.1\r\nHost: x\r\n\r\n");
	case 4: /* HTTP/0.9 */
		return snprintf(buf, size, "GET /metrics\r\n\r\n");
	case 5: /* pipelining, the last request cut short */
		return snprintf(buf, size,
				"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
				"GET /stacks HTTP/1.1\r\nHost: x\r\n\r\nGET /m");
	case 6: /* a method the server does not serve */
		return snprintf(buf, size, "BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	case 7: /* an absolute URI */
		return snprintf(buf, size,
				"GET http://evil.example/metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	case 8: /* traversal */
		return snprintf(buf, size, "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
	default: /* a body that never comes */
		return snprintf(buf, size,
				"POST /metrics HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nx");
	}
}

/* One connection with request kind i from src; adds what happened to t. */
static void one_request(long i, struct in_addr src, double wait, char *req, struct totals *t)
{
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_addr = src };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t len = garbage_request(i, req, MAX_REQUEST), off = 0;
	struct timeval tv = { .tv_sec = 1 };
	double end = now_s() + wait;
	bool answered = false, closed = false;
	size_t got = 0;
	char reply[4096];
	ssize_t n;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0 ||
	    connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0) {
		close(fd);
		return;
	}
	t->connects++;
	while (off < len && (n = send(fd, req + off, len - off, MSG_NOSIGNAL)) > 0)
		off += n;
	shutdown(fd, SHUT_WR);
	while (!closed) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)((end - now_s()) * 1000);

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recv(fd, reply, sizeof(reply), 0);
		/* The first bytes are the status line of an answer. */
		if (n > 0 && !got)
			answered = n >= 7 && !memcmp(reply, "HTTP/1.", 7);
		got += n > 0 ? n : 0;
		closed = n <= 0;
	}
	t->responses += answered;
	t->closed += closed;
	t->held += !closed;
	close(fd);
}

int main(int argc, char **argv)
{
	struct totals *shared;
	struct in_addr src;
	long count, workers;
	double wait_s;

	if (argc != 7) {
		fprintf(stderr, "usage: skbtrace-http-garbage ADDR PORT COUNT WORKERS WAIT SRC\n");
		return 2;
	}
	server.sin_family = AF_INET;
	server.sin_port = htons(atoi(argv[2]));
	count = atol(argv[3]);
	workers = atol(argv[4]);
	wait_s = atof(argv[5]);
	if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[6], &src) != 1 || workers < 1)
		return fprintf(stderr, "bad arguments\n"), 2;
	/* One slot per worker: each writes only its own, the parent sums them. */
	shared = mmap(NULL, workers * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return perror("mmap"), 1;
	memset(shared, 0, workers * sizeof(*shared));
	for (long w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0)
			return perror("fork"), 1;
		if (pid == 0) {
			struct in_addr from = { htonl(ntohl(src.s_addr) + w) };
			char *req = malloc(MAX_REQUEST);

			if (!req)
				_exit(1);
			/* A block of consecutive requests: every worker sends every kind. */
			for (long i = w * count / workers; i < (w + 1) * count / workers; i++)
				one_request(i, from, wait_s, req, &shared[w]);
			_exit(0);
		}
	}
	struct totals sum = { 0 };
	int status, failed = 0;

	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	for (long w = 0; w < workers; w++) {
		sum.connects += shared[w].connects;
		sum.closed += shared[w].closed;
		sum.responses += shared[w].responses;
		sum.held += shared[w].held;
	}
	printf("connects %ld closed %ld responses %ld held %ld\n", sum.connects, sum.closed,
	       sum.responses, sum.held);
	return failed;
}
