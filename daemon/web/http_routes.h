/* SPDX-License-Identifier: GPL-2.0 */
/* What the daemon serves over HTTP: the landing page, /metrics and /stacks. */
#ifndef SKBTRACE_HTTP_ROUTES_H
#define SKBTRACE_HTTP_ROUTES_H

#include <stddef.h>
#include "http.h"

struct daemon;

/* The routes' ctx: the daemon's state, and the server for its own series. */
struct served {
	struct daemon *d;
	struct http_server *http; /* NULL until started */
};

/* For http_server_start(), with a struct served as ctx. */
extern const struct http_route skbtrace_routes[];
extern const size_t skbtrace_n_routes;

#endif /* SKBTRACE_HTTP_ROUTES_H */
