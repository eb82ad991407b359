// SPDX-License-Identifier: GPL-2.0
/*
 * One request per connection (HTTP/1.0, Connection: close), so the body
 * ends at Content-Length or at the close, and no chunked encoding can come.
 * Every wait is bounded by one deadline for the whole exchange.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "top_http.h"

#define HEADER_MAX (64u << 10)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { .fd = fd, .events = events };
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int connect_one(const struct addrinfo *ai, long long deadline)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	int ret = 0, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		if (errno != EINPROGRESS) {
			ret = -errno;
			goto fail;
		}
		ret = wait_fd(fd, POLLOUT, deadline);
		if (ret)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
			ret = soerr ? -soerr : -errno;
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	return ret;
}

static int connect_url(const struct top_url *u, long long deadline, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	int r, fd = -ECONNREFUSED;

	r = getaddrinfo(u->host, u->port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "%s: %s", u->host, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, deadline);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "cannot connect to %s port %s: %s (is skbtrace running?)",
			 u->host, u->port, strerror(-fd));
	return fd;
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			n = wait_fd(fd, POLLOUT, deadline);
			if (n)
				return (int)n;
			continue;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Reads until the peer closes, or limit bytes are in; returns the length or -errno. */
static ssize_t recv_all(int fd, char **buf, size_t limit, long long deadline, int *over)
{
	size_t len = 0, cap = 0;

	*over = 0;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64 << 10;
			char *nb;

			if (cap >= limit + 1) {
				*over = 1;
				return len;
			}
			if (ncap > limit + 1)
				ncap = limit + 1;
			nb = realloc(*buf, ncap + 1);
			if (!nb)
				return -ENOMEM;
			*buf = nb;
			cap = ncap;
		}
		n = recv(fd, *buf + len, cap - len, 0);
		if (n > 0) {
			len += n;
			continue;
		}
		if (n == 0)
			return len;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		n = wait_fd(fd, POLLIN, deadline);
		if (n)
			return n;
	}
}

/* Splits the response: the status code, the body's offset, Content-Length or -1. */
static int parse_head(char *resp, size_t len, int *status, size_t *body_off, long long *clen)
{
	char *end = NULL, *line, *save;

	for (size_t i = 0; i + 3 < len && i < HEADER_MAX; i++)
		if (!memcmp(resp + i, "\r\n\r\n", 4)) {
			end = resp + i;
			break;
		}
	if (!end)
		return -EBADMSG;
	*end = '\0';
	*body_off = end + 4 - resp;
	*clen = -1;
	line = strtok_r(resp, "\r\n", &save);
	if (!line || strncmp(line, "HTTP/1.", 7) || sscanf(line + 8, " %3d", status) != 1)
		return -EBADMSG;
	while ((line = strtok_r(NULL, "\r\n", &save))) {
		if (!strncasecmp(line, "Content-Length:", 15)) {
			char *e;

			*clen = strtoll(line + 15, &e, 10);
			if (*clen < 0 || (*e && *e != ' '))
				return -EBADMSG;
		}
	}
	return 0;
}

int top_http_get(const struct top_url *base, const char *path, int timeout_ms, char **body,
		 size_t *len, char *err, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms, clen;
	char req[1024], *resp = NULL;
	size_t off;
	ssize_t n;
	int fd, ret, status, over;
	int v6 = strchr(base->host, ':') != NULL;

	*body = NULL;
	*len = 0;
	fd = connect_url(base, deadline, err, errlen);
	if (fd < 0)
		return fd;
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.0\r\nHost: %s%s%s:%s\r\nUser-Agent: skbtrace-top\r\n"
		 "Accept: text/plain\r\nConnection: close\r\n\r\n",
		 path, v6 ? "[" : "", base->host, v6 ? "]" : "", base->port);
	ret = send_all(fd, req, strlen(req), deadline);
	if (ret) {
		snprintf(err, errlen, "%s:%s: cannot send the request: %s", base->host, base->port,
			 strerror(-ret));
		goto out;
	}
	n = recv_all(fd, &resp, TOP_HTTP_MAX_BODY + HEADER_MAX, deadline, &over);
	if (n < 0) {
		ret = (int)n;
		snprintf(err, errlen, "%s:%s%s: %s", base->host, base->port, path,
			 ret == -ETIMEDOUT ? "no complete answer within the timeout"
					   : strerror(-ret));
		goto out;
	}
	ret = parse_head(resp, n, &status, &off, &clen);
	if (ret) {
		snprintf(err, errlen, "%s:%s%s: malformed HTTP response (is this skbtrace?)",
			 base->host, base->port, path);
		goto out;
	}
	if (status != 200) {
		ret = -EPROTO;
		snprintf(err, errlen, "%s:%s%s: HTTP status %d%s", base->host, base->port, path,
			 status, status == 401 ? " (top sends no password yet)" : "");
		goto out;
	}
	if (over || (clen >= 0 && clen > (long long)TOP_HTTP_MAX_BODY)) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s:%s%s: body larger than %u MiB", base->host, base->port,
			 path, TOP_HTTP_MAX_BODY >> 20);
		goto out;
	}
	if (clen >= 0 && (size_t)clen != (size_t)n - off) {
		ret = -EBADMSG;
		snprintf(err, errlen, "%s:%s%s: body of %zu bytes, Content-Length said %lld",
			 base->host, base->port, path, (size_t)n - off, clen);
		goto out;
	}
	*len = n - off;
	memmove(resp, resp + off, *len);
	resp[*len] = '\0';
	*body = resp;
	resp = NULL;
	ret = 0;
out:
	free(resp);
	close(fd);
	return ret;
}
