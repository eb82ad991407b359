// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace-testgen: makes the kernel drop, reset and refuse packets on
 * purpose, for the integration tests and benchmarks.  A C program rather
 * than a script so that it runs unchanged inside the minimal VM guests.
 *
 *   udp ADDR PORT COUNT              send COUNT datagrams; send errors are expected
 *   storm ADDR PORT SECONDS          send datagrams as fast as possible; prints the count
 *   tcp-connect ADDR PORT COUNT MS   COUNT connects, each given MS milliseconds
 *   listen ADDR PORT BACKLOG SECONDS listen and never accept (accept-queue overflow)
 *   serve ADDR PORT SECONDS          accept and read until the peer closes
 *   linger-close ADDR PORT COUNT     connect, then close with SO_LINGER {1,0}: an RST
 *   listen-defer ADDR PORT BACKLOG SECONDS
 *                                    listen with TCP_DEFER_ACCEPT and never accept
 *   handshake-overflow ADDR PORT BACKLOG
 *                                    against listen-defer: 2*BACKLOG handshakes, of
 *                                    which exactly BACKLOG-1 overflow the full accept
 *                                    queue at their first data
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

static int parse_addr(const char *host, const char *port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(atoi(port));
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(port));
		*len = sizeof(*in6);
		return 0;
	}
	fprintf(stderr, "testgen: bad address %s\n", host);
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_udp(struct sockaddr_storage *ss, socklen_t len, long count)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	long ok = 0, failed = 0;
	char payload[32] = "skbtrace-testgen";

	if (fd < 0)
		return perror("socket"), 1;
	for (long i = 0; i < count; i++) {
		if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)ss, len) < 0)
			failed++;
		else
			ok++;
	}
	close(fd);
	printf("sent %ld failed %ld\n", ok, failed);
	return 0;
}

static int cmd_storm(struct sockaddr_storage *ss, socklen_t len, double seconds)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	char payload[32] = "skbtrace-storm";
	double start = now_s(), end = start + seconds, t;
	long n = 0;

	if (fd < 0)
		return perror("socket"), 1;
	do {
		for (int i = 0; i < 1000; i++, n++)
			sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)ss, len);
		t = now_s();
	} while (t < end);
	close(fd);
	printf("packets %ld seconds %.6f ns_per_packet %.1f\n", n, t - start,
	       (t - start) * 1e9 / n);
	return 0;
}

/* 0 connected, 1 refused, 2 timed out, -1 other error */
static int connect_once(struct sockaddr_storage *ss, socklen_t len, int timeout_ms, int *out_fd)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0), soerr = 0;
	socklen_t sl = sizeof(soerr);
	struct pollfd p;

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)ss, len) && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return e == ECONNREFUSED ? 1 : -1;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, timeout_ms) <= 0) {
		close(fd);
		return 2;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (soerr) {
		close(fd);
		return soerr == ECONNREFUSED ? 1 : soerr == ETIMEDOUT ? 2 : -1;
	}
	if (out_fd)
		*out_fd = fd;
	else
		close(fd);
	return 0;
}

static int cmd_tcp_connect(struct sockaddr_storage *ss, socklen_t len, long count, int ms)
{
	long res[4] = {};

	for (long i = 0; i < count; i++)
		res[connect_once(ss, len, ms, NULL) + 1]++;
	printf("connected %ld refused %ld timeout %ld error %ld\n", res[1], res[2], res[3], res[0]);
	return 0;
}

static int listen_on(struct sockaddr_storage *ss, socklen_t len, int backlog)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, len) || listen(fd, backlog)) {
		perror("listen");
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_listen(struct sockaddr_storage *ss, socklen_t len, int backlog, double seconds)
{
	int fd = listen_on(ss, len, backlog);

	if (fd < 0)
		return 1;
	printf("listening\n");
	fflush(stdout);
	usleep((useconds_t)(seconds * 1e6));
	close(fd);
	return 0;
}

static int cmd_serve(struct sockaddr_storage *ss, socklen_t len, double seconds)
{
	int fd = listen_on(ss, len, 128);
	double end = now_s() + seconds;

	if (fd < 0)
		return 1;
	printf("listening\n");
	fflush(stdout);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int c;

		if (poll(&p, 1, 100) <= 0)
			continue;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		/* Read until the peer closes or resets, then close politely. */
		for (char buf[256]; read(c, buf, sizeof(buf)) > 0;)
			;
		close(c);
	}
	close(fd);
	return 0;
}

static int cmd_linger_close(struct sockaddr_storage *ss, socklen_t len, long count)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long done = 0;

	for (long i = 0; i < count; i++) {
		int fd;

		if (connect_once(ss, len, 2000, &fd))
			continue;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		done++;
	}
	printf("reset %ld\n", done);
	return 0;
}

static int cmd_listen_defer(struct sockaddr_storage *ss, socklen_t len, int backlog, double seconds)
{
	int fd = listen_on(ss, len, backlog), defer = 60;

	if (fd < 0)
		return 1;
	/* Completed handshakes wait for data in the SYN queue, not the accept queue. */
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
	printf("listening\n");
	fflush(stdout);
	usleep((useconds_t)(seconds * 1e6));
	close(fd);
	return 0;
}

/* 1 when the peer reset the connection after our byte, 0 when it did not within 200 ms. */
static int send_byte_reset(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c = 'x';

	if (write(fd, &c, 1) != 1)
		return errno == ECONNRESET;
	if (poll(&p, 1, 200) <= 0)
		return 0;
	return read(fd, &c, 1) < 0 && errno == ECONNRESET;
}

/*
 * A SYN that meets a full accept queue is dropped before any reset can be
 * sent, so every SYN must arrive while the accept queue still has room, and
 * while the SYN queue has room too: once it is full the kernel answers with a
 * syncookie, whose handshake skips TCP_DEFER_ACCEPT and lands in the accept
 * queue at once.  The SYN queue's limit differs by one between kernels (5.10
 * sends a cookie to the SYN that finds BACKLOG requests waiting, 6.1 and later
 * only beyond that; the accept queue holds BACKLOG+1 on all of them), so
 * keep at most BACKLOG handshakes waiting (TCP_DEFER_ACCEPT) and complete them
 * one at a time with a byte, connecting a new one while the accept queue is
 * not full.  Of the 2*BACKLOG handshakes, BACKLOG+1 fill the accept queue and
 * the other BACKLOG-1 overflow at their byte.
 */
static int cmd_handshake_overflow(struct sockaddr_storage *ss, socklen_t len, int backlog)
{
	int n = 2 * backlog, *fds = calloc(n, sizeof(*fds));
	int opened = 0, sent = 0, resets = 0;

	if (!fds)
		return 1;
	for (; opened < backlog; opened++) {
		if (connect_once(ss, len, 2000, &fds[opened]))
			return fprintf(stderr, "connect %d failed\n", opened), 1;
	}
	while (sent < opened) {
		resets += send_byte_reset(fds[sent++]);
		/* The accept queue now holds sent children; full beyond backlog. */
		if (sent <= backlog && opened < n) {
			if (connect_once(ss, len, 2000, &fds[opened]))
				return fprintf(stderr, "connect %d failed\n", opened), 1;
			opened++;
		}
	}
	printf("connected %d reset %d\n", opened, resets);
	for (int i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (argc < 4 || parse_addr(argv[2], argv[3], &ss, &len)) {
		fprintf(stderr, "usage: skbtrace-testgen CMD ADDR PORT ...\n");
		return 2;
	}
	if (!strcmp(argv[1], "udp") && argc == 5)
		return cmd_udp(&ss, len, atol(argv[4]));
	if (!strcmp(argv[1], "storm") && argc == 5)
		return cmd_storm(&ss, len, atof(argv[4]));
	if (!strcmp(argv[1], "tcp-connect") && argc == 6)
		return cmd_tcp_connect(&ss, len, atol(argv[4]), atoi(argv[5]));
	if (!strcmp(argv[1], "listen") && argc == 6)
		return cmd_listen(&ss, len, atoi(argv[4]), atof(argv[5]));
	if (!strcmp(argv[1], "serve") && argc == 5)
		return cmd_serve(&ss, len, atof(argv[4]));
	if (!strcmp(argv[1], "linger-close") && argc == 5)
		return cmd_linger_close(&ss, len, atol(argv[4]));
	if (!strcmp(argv[1], "listen-defer") && argc == 6)
		return cmd_listen_defer(&ss, len, atoi(argv[4]), atof(argv[5]));
	if (!strcmp(argv[1], "handshake-overflow") && argc == 5)
		return cmd_handshake_overflow(&ss, len, atoi(argv[4]));
	fprintf(stderr, "skbtrace-testgen: unknown command or wrong arguments\n");
	return 2;
}
