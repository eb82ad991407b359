// SPDX-License-Identifier: GPL-2.0
/* The HTTP server's listening socket (declared in http.h), apart from libmicrohttpd. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "http.h"
#include "listen_addr.h"

static int open_bound(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1, zero = 0;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Restarts must not wait out TIME_WAIT of the previous instance's scrapes. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	/* ":PORT" means every address; do not depend on the bindv6only sysctl. */
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)
		goto fail;
	if (bind(fd, (const struct sockaddr *)ss, len) < 0 || listen(fd, HTTP_LISTEN_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	one = -errno;
	close(fd);
	return one;
}

static bool is_v6_any(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	return ss->ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
}

int listen_socket_open(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char why[256] = "";
	int fd;

	memset(&ss, 0, sizeof(ss));
	/* The parser's reason starts with the quoted address itself. */
	if (listen_addr_parse(addr, &ss, &len, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "cannot listen on %s", why);
		return -EINVAL;
	}
	fd = open_bound(&ss, len);
	/* Hosts booted with ipv6.disable=1 still get the wildcard, IPv4 only. */
	if (fd == -EAFNOSUPPORT && is_v6_any(&ss)) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = ((struct sockaddr_in6 *)&ss)->sin6_port,
					   .sin_addr.s_addr = htonl(INADDR_ANY) };

		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, &sin, sizeof(sin));
		fd = open_bound(&ss, sizeof(sin));
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(-fd));
		return fd;
	}
	return fd;
}

int listen_socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -EAFNOSUPPORT;
}
