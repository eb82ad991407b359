/* SPDX-License-Identifier: GPL-2.0 */
/* The listen address of the configuration, the command line and the HTTP server. */
#ifndef SKBTRACE_LISTEN_ADDR_H
#define SKBTRACE_LISTEN_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * "127.0.0.1:9820", "[::1]:9820", ":9820" (all IPv6+IPv4).  On error
 * returns -EINVAL with the address, quoted, and what was expected in err.
 */
int listen_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		      size_t errlen);

#endif /* SKBTRACE_LISTEN_ADDR_H */
