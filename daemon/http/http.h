/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP front end, on libmicrohttpd driven from the daemon's own epoll
 * loop: one thread serves scrapes and runs the watchdog, so a ping proves
 * that scrapes are being answered.
 */
#ifndef SKBTRACE_HTTP_H
#define SKBTRACE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "web_config.h"
#include "http_guard.h"

/*
 * Connections the kernel queues before the daemon accepts them (capped by
 * net.core.somaxconn): a flood of connects is accepted, and refused by the
 * guard, faster than it overflows this.
 */
#define HTTP_LISTEN_BACKLOG 4096

struct http_server;

/* A rendered response body; the server takes ownership of body (malloc'd). */
struct http_body {
	char *body;
	size_t len;
	const char *content_type;
	unsigned int status; /* 200 unless set */
};

/*
 * Produces the body for GET/HEAD of one path; arg is the value of the
 * route's one query argument ("?id=" unless the route names another) or
 * NULL, as the client sent it: the handler checks it.  Returns 0, or -1
 * for a 500.
 */
typedef int (*http_handler_fn)(void *ctx, const char *arg, struct http_body *out);

struct http_route {
	const char *path;
	http_handler_fn handler;
	/*
	 * Requests without the argument that were waiting together get one
	 * rendering (see struct shared_response in http.c).
	 */
	bool shared;
	const char *arg; /* the query argument's name; NULL: "id" */
};

/* The limits the config's "web" section sets. */
void http_limits_from_web(const struct web_config *w, struct http_limits *out);

/*
 * Starts serving on an already-listening socket (made by listen_socket_open()
 * or handed over by systemd).  Routes are matched exactly; unknown paths
 * answer 404, methods other than GET and HEAD answer 405 with Allow.
 * The table must outlive the server.  On success the server owns listen_fd
 * and http_server_stop() closes it; on failure the caller still owns it.
 *
 * web->tls and web->users (checked by the config parser) make it serve
 * HTTPS and ask for a client certificate and a password; a client refused
 * gets 401 (password) or 403 (client certificate, after a resumed session),
 * or a failed handshake, before any path is looked at.
 */
struct http_server *http_server_start(int listen_fd, const struct http_route *routes,
				      size_t n_routes, void *ctx, const struct http_limits *lim,
				      const struct web_config *web, char *err, size_t errlen);
/*
 * At a reload: when web's TLS files (by content) or users changed, starts
 * serving with them on the same listening socket and closes the
 * connections of the old settings; connections waiting to be accepted are
 * served with the new.  Returns 0 when nothing changed, 1 when restarted,
 * or a negative errno with the old settings still serving.
 */
int http_server_reconfigure(struct http_server *s, const struct web_config *web, char *err,
			    size_t errlen);
bool http_server_tls(const struct http_server *s);
/* At a reload: for new connections, and deadlines set from now on. */
void http_server_set_limits(struct http_server *s, const struct http_limits *lim);
void http_server_stats(const struct http_server *s, struct http_stats *out);
void http_server_stop(struct http_server *s);

/* The fd to watch for readability in the daemon's epoll set. */
int http_server_fd(struct http_server *s);
/* Runs pending HTTP work; call when http_server_fd() is readable or the timeout passed. */
int http_server_run(struct http_server *s);
/*
 * Milliseconds until http_server_run() must be called again, or -1 for no limit.
 * Often 0 while the fd stays quiet (pipelined requests, a freed connection slot):
 * the loop must honour it or such clients stall.
 */
int http_server_timeout_ms(struct http_server *s);

/*
 * Opens a listening TCP socket for "ADDR:PORT".  On failure returns -errno
 * (-EINVAL for a bad address) with a one-line reason in err, e.g. "cannot listen on 127.0.0.1:9820: Address
 * already in use".
 */
int listen_socket_open(const char *addr, char *err, size_t errlen);

#endif /* SKBTRACE_HTTP_H */
