// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "top_http.h"

static int copy(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int top_url_parse(const char *url, struct top_url *out, char *err, size_t errlen)
{
	const char *p, *host_end, *path;
	char *end;
	long port;

	memset(out, 0, sizeof(*out));
	if (!strncasecmp(url, "https://", 8)) {
		snprintf(err, errlen,
			 "%s: https is not supported by `skbtrace top` yet; use an http listener",
			 url);
		return -EPROTONOSUPPORT;
	}
	if (strncasecmp(url, "http://", 7)) {
		snprintf(err, errlen, "%s: expected http://HOST[:PORT][/PATH]", url);
		return -EINVAL;
	}
	p = url + 7;
	path = p + strcspn(p, "/?#");
	if (*p == '[') {
		host_end = memchr(p, ']', path - p);
		if (!host_end || copy(out->host, sizeof(out->host), p + 1, host_end - p - 1))
			goto bad;
		p = host_end + 1;
	} else {
		host_end = memchr(p, ':', path - p);
		if (!host_end)
			host_end = path;
		if (copy(out->host, sizeof(out->host), p, host_end - p))
			goto bad;
		p = host_end;
	}
	if (!out->host[0])
		goto bad;
	strcpy(out->port, "80");
	if (*p == ':') {
		port = strtol(p + 1, &end, 10);
		if (end != path || end == p + 1 || port < 1 || port > 65535)
			goto bad;
		snprintf(out->port, sizeof(out->port), "%ld", port);
	} else if (p != path) {
		goto bad;
	}
	if (*path && *path != '/')
		goto bad;
	if (copy(out->path, sizeof(out->path), *path ? path : "/", *path ? strlen(path) : 1))
		goto bad;
	/* Both go into the request line and the Host header. */
	for (const char *c = out->path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			goto bad;
	for (const char *c = out->host; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '/')
			goto bad;
	return 0;
bad:
	snprintf(err, errlen, "%s: expected http://HOST[:PORT][/PATH]", url);
	return -EINVAL;
}
