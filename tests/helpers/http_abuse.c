// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace-http-abuse: hostile and busy HTTP clients for the tests of the
 * daemon's HTTP server.  Each mode holds COUNT connections for SECONDS and
 * opens a new one as soon as the server closes one, as an attacker would.
 * Connection i comes from source address SRC + i when SPREAD is set, else
 * from SRC.
 *
 *   idle ADDR PORT COUNT SECONDS SRC [spread]       connect, send nothing
 *   slowloris ADDR PORT COUNT SECONDS SRC [spread]  one header byte a second
 *   tlshalf ADDR PORT COUNT SECONDS SRC [spread]    half a TLS ClientHello, then nothing
 *   scrape ADDR PORT COUNT SECONDS SRC [spread]     GET /metrics again and again
 *   badpass ADDR PORT COUNT SECONDS SRC [spread]    the same as fast as answered, each
 *                                                   with a new wrong password for "alice"
 *
 * Prints "connects N closed M responses R ok K" at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>

enum mode { IDLE, SLOWLORIS, TLSHALF, SCRAPE, BADPASS };

struct conn {
	int fd;
	bool connected;
	size_t sent;   /* request bytes sent (scrape), header bytes (slowloris) */
	char req[256]; /* the request being sent (scrape, badpass) */
	size_t req_len;
	char buf[1 << 16]; /* response bytes read so far (scrape) */
	size_t got;
	double next_byte; /* slowloris */
	double reopen_at; /* after the server closed it */
};

static const char scrape_req[] = "GET /metrics HTTP/1.1\r\nHost: skbtrace\r\n\r\n";
static const char slow_req[] = "GET / HTTP/1.1\r\nHost: skbtrace\r\nX-a: ";
/*
 * The start of a TLS 1.2 record holding a ClientHello that announces 512
 * bytes and sends 40 of them: the server waits for the rest.
 */
static const unsigned char half_hello[] = {
	0x16, 0x03, 0x01, 0x02, 0x00,	    /* handshake record, 512 bytes */
	0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, /* ClientHello, 508 bytes, TLS 1.2 */
	1,    2,    3,	  4,	5,    6,    7,	8,  9,	10, 11, 12, 13, 14, 15,
	16,   17,   18,	  19,	20,   21,   22, 23, 24, 25, 26, 27, 28, 29,
};
static long attempts; /* badpass: wrong passwords sent */

static struct sockaddr_in server;
static struct in_addr src;
static bool spread;
static long connects, closes, responses, ok;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_conn(int i)
{
	struct sockaddr_in from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	from.sin_addr.s_addr = htonl(ntohl(src.s_addr) + (spread ? i : 0));
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0 ||
	    (connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	connects++;
	return fd;
}

/* Closed by the server: opened again at once (reopen()), as an attacker would. */
static void reset_conn(struct conn *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		closes++;
	}
	c->fd = -1;
	c->connected = false;
	c->sent = c->got = c->req_len = 0;
	c->reopen_at = now_s();
}

static void base64(const char *in, char *out)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 |
			     (unsigned char)in[i + 2];

		*out++ = b64[v >> 18];
		*out++ = b64[v >> 12 & 63];
		*out++ = b64[v >> 6 & 63];
		*out++ = b64[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned char)in[i] << 16;

		out += sprintf(out, "%c%c==", b64[v >> 18], b64[v >> 12 & 63]);
	} else if (n - i == 2) {
		unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;

		out += sprintf(out, "%c%c%c=", b64[v >> 18], b64[v >> 12 & 63], b64[v >> 6 & 63]);
	}
	*out = '\0';
}

/* The next request of a scraping connection. */
static void next_request(struct conn *c, enum mode m)
{
	char cred[64], enc[96];

	if (m == SCRAPE) {
		c->req_len = snprintf(c->req, sizeof(c->req), "%s", scrape_req);
		return;
	}
	snprintf(cred, sizeof(cred), "alice:wrong%d-%ld", (int)getpid(), attempts++);
	base64(cred, enc);
	c->req_len = snprintf(c->req, sizeof(c->req),
			      "GET /metrics HTTP/1.1\r\nHost: skbtrace\r\n"
			      "Authorization: Basic %s\r\n\r\n",
			      enc);
}

static void reopen(struct conn *c, int i)
{
	c->fd = open_conn(i);
	c->next_byte = now_s();
	if (c->fd < 0)
		c->reopen_at = now_s() + 0.1;
}

/* A whole response in buf: its headers, and as many body bytes as Content-Length says. */
static bool response_done(struct conn *c)
{
	char *end, *cl;
	size_t body;

	c->buf[c->got < sizeof(c->buf) ? c->got : sizeof(c->buf) - 1] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return false;
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
	return c->got >= (size_t)(end + 4 - c->buf) + body;
}

static void on_writable(struct conn *c, enum mode m)
{
	double t = now_s();

	c->connected = true;
	if ((m == SCRAPE || m == BADPASS) && !c->req_len)
		next_request(c, m);
	if ((m == SCRAPE || m == BADPASS) && c->sent < c->req_len) {
		ssize_t n = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);

		if (n > 0)
			c->sent += n;
	} else if (m == TLSHALF && !c->sent) {
		if (send(c->fd, half_hello, sizeof(half_hello), MSG_NOSIGNAL) > 0)
			c->sent = sizeof(half_hello);
	} else if (m == SLOWLORIS && t >= c->next_byte) {
		const char *b = c->sent < sizeof(slow_req) - 1 ? &slow_req[c->sent] : "a";

		if (send(c->fd, b, 1, MSG_NOSIGNAL) == 1)
			c->sent++;
		c->next_byte = t + 1.0;
	}
}

/* Returns false when the server closed the connection. */
static bool on_readable(struct conn *c, enum mode m)
{
	char tmp[4096];
	ssize_t n;

	if (m != SCRAPE && m != BADPASS) {
		n = recv(c->fd, tmp, sizeof(tmp), 0);
		return !(n == 0 || (n < 0 && errno != EAGAIN));
	}
	n = recv(c->fd, c->buf + c->got, sizeof(c->buf) - 1 - c->got, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN))
		return false;
	if (n > 0)
		c->got += n;
	if (response_done(c)) {
		responses++;
		ok += !strncmp(c->buf, m == SCRAPE ? "HTTP/1.1 200" : "HTTP/1.1 401", 12);
		c->got = c->sent = c->req_len = 0;
	} else if (c->got >= sizeof(c->buf) - 1) {
		/* Larger than the buffer: drop what was read, the count is what matters. */
		c->got = 0;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	struct conn *conns;
	struct pollfd *pfd;
	enum mode m;
	double end;
	long count;

	if (argc < 7) {
		fprintf(stderr,
			"usage: skbtrace-http-abuse idle|slowloris|tlshalf|scrape|badpass ADDR "
			"PORT COUNT SECONDS SRC [spread]\n");
		return 2;
	}
	m = !strcmp(argv[1], "idle")	    ? IDLE
	    : !strcmp(argv[1], "slowloris") ? SLOWLORIS
	    : !strcmp(argv[1], "tlshalf")   ? TLSHALF
	    : !strcmp(argv[1], "badpass")   ? BADPASS
					    : SCRAPE;
	server.sin_family = AF_INET;
	server.sin_port = htons(atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &server.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[6], &src) != 1)
		return fprintf(stderr, "bad address\n"), 2;
	count = atol(argv[4]);
	end = now_s() + atof(argv[5]);
	spread = argc > 7 && !strcmp(argv[7], "spread");
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	conns = calloc(count, sizeof(*conns));
	pfd = calloc(count, sizeof(*pfd));
	if (!conns || !pfd)
		return 1;
	for (long i = 0; i < count; i++)
		reopen(&conns[i], i);
	while (now_s() < end) {
		for (long i = 0; i < count; i++) {
			pfd[i].fd = conns[i].fd;
			pfd[i].events = POLLIN;
			if (!conns[i].connected || m == SCRAPE || m == BADPASS || m == SLOWLORIS ||
			    (m == TLSHALF && !conns[i].sent))
				pfd[i].events |= POLLOUT;
			if ((m == SCRAPE || m == BADPASS) && conns[i].req_len &&
			    conns[i].sent == conns[i].req_len)
				pfd[i].events &= ~POLLOUT;
		}
		if (poll(pfd, count, 100) < 0 && errno != EINTR)
			return perror("poll"), 1;
		for (long i = 0; i < count; i++) {
			struct conn *c = &conns[i];

			if (c->fd < 0) {
				if (now_s() >= c->reopen_at)
					reopen(c, i);
				continue;
			}
			if ((pfd[i].revents & (POLLERR | POLLHUP)) ||
			    ((pfd[i].revents & POLLIN) && !on_readable(c, m))) {
				reset_conn(c);
				reopen(c, i);
				continue;
			}
			if (pfd[i].revents & POLLOUT)
				on_writable(c, m);
		}
		/* Slowloris sends on a timer, not only when poll says writable. */
		if (m == SLOWLORIS)
			usleep(10000);
	}
	/* ok: 200 for scrape, 401 for badpass */
	printf("connects %ld closed %ld responses %ld ok %ld\n", connects, closes, responses, ok);
	return 0;
}
