/* SPDX-License-Identifier: GPL-2.0 */
/* A small, bounded HTTP/1.0 GET client for `skbtrace top`; plain http only. */
#ifndef SKBTRACE_TOP_HTTP_H
#define SKBTRACE_TOP_HTTP_H

#include <stddef.h>

#define TOP_HTTP_MAX_BODY (32u << 20)

struct top_url {
	char host[256]; /* without the brackets of an IPv6 address */
	char port[8];
	char path[512];
};

/*
 * "http://HOST[:PORT][/PATH]"; HOST may be "[v6]".  -EPROTONOSUPPORT for
 * https (with a message saying so), -EINVAL for anything else.
 */
int top_url_parse(const char *url, struct top_url *out, char *err, size_t errlen);

/*
 * GETs base's host and port with path (which replaces base's), within
 * timeout_ms in all.  On 200 returns 0 and a NUL-terminated body to free();
 * else a negative errno and one line in err: unreachable, timed out, status
 * other than 200, body over TOP_HTTP_MAX_BODY, malformed response.
 */
int top_http_get(const struct top_url *base, const char *path, int timeout_ms, char **body,
		 size_t *len, char *err, size_t errlen);

#endif /* SKBTRACE_TOP_HTTP_H */
