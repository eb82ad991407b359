// SPDX-License-Identifier: GPL-2.0
/* Numeric listen addresses, checked as strictly as the rest of the configuration. */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "listen_addr.h"

/* The address in double quotes, bytes outside printable ASCII as \xNN. */
static void quote(char *out, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 8)
		return;
	out[o++] = '"';
	for (; *s && o + 6 < len; s++) {
		unsigned char c = *s;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, len - o, "\\x%02x", c);
	}
	if (*s && o + 4 < len)
		o += snprintf(out + o, len - o, "...");
	out[o++] = '"';
	out[o] = 0;
}

/* Plain decimal only: strtoul would also take "+80", " 80" and "0x50". */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	/* Port 0 asks the kernel for a free port; the daemon logs the one it got. */
	if (v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

/*
 * Only numeric addresses: resolving a name at startup would make the daemon
 * depend on DNS being up, and a name may resolve to several addresses.
 */
int listen_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		      size_t errlen)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN], q[128];
	const char *port_s, *end;
	uint16_t port;
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			goto bad;
		hlen = end - s - 1;
		port_s = end + 2;
	} else {
		end = strchr(s, ':');
		/* A second colon means an IPv6 address without its brackets. */
		if (!end || strchr(end + 1, ':'))
			goto bad;
		hlen = end - s;
		port_s = end + 1;
	}
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, s[0] == '[' ? s + 1 : s, hlen);
	host[hlen] = 0;
	if (s[0] != '[' && hlen == 0) {
		/* in6addr_any: with IPV6_V6ONLY off this also accepts IPv4. */
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
	} else if (s[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
	} else if (s[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else {
		goto bad;
	}
	if (parse_port(port_s, &port)) {
		quote(q, sizeof(q), s);
		snprintf(err, errlen, "%s: port must be a number from 0 to 65535", q);
		return -EINVAL;
	}
	if (ss->ss_family == AF_INET6) {
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
	} else {
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
	}
	return 0;
bad:
	quote(q, sizeof(q), s);
	snprintf(err, errlen,
		 "%s: expected ADDR:PORT with a numeric IPv4 address or [IPv6] address", q);
	return -EINVAL;
}
