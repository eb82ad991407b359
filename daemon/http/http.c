// SPDX-License-Identifier: GPL-2.0
/*
 * libmicrohttpd in external epoll mode: MHD keeps its own epoll set (listen
 * socket plus connections) and we only expose that set's fd, so the daemon
 * loop polls one fd and calls MHD_run() without MHD starting any thread.
 *
 * SIGPIPE: MHD sends with MSG_NOSIGNAL on Linux, and without
 * MHD_OPTION_SIGPIPE_HANDLED_BY_APP it never uses sendfile(), so a client
 * hanging up mid-response cannot kill the daemon; callers need not ignore
 * the signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <microhttpd.h>
#include "http.h"
#include "http_auth.h"
#include "http_auth_pool.h"
#include "http_guard.h"
#include "http_internal.h"
#include "http_tls.h"
#include "log.h"

/*
 * The guard enforces the configured limits and deadlines (http_guard.h);
 * libmicrohttpd's own only catch what it might miss.
 */
#define MHD_CONNECTION_LIMIT_BACKSTOP 65536
#define MHD_CONNECTION_TIMEOUT_BACKSTOP_S 3600
/* Per-connection pool for request headers; scrapes send a few hundred bytes. */
#define HTTP_CONNECTION_MEMORY (32 * 1024)
#define HTTP_TEXT_TYPE "text/plain; charset=utf-8"
#define HTTP_AUTH_REALM "Basic realm=\"skbtrace\", charset=\"UTF-8\""

/*
 * Once started, MHD only logs what clients provoke (resets, garbage, the
 * connection limit), so that goes to debug where a client cannot flood it.
 * While starting, warnings may precede the fatal message, so the last one
 * is kept as the reason.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (s->start_err)
		snprintf(s->start_err, s->start_errlen, "%s", msg);
	log_debug("http: %s", msg);
}

static struct http_guard_conn *guarded(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

/*
 * What a request's *req_cls holds: NULL on the first call, one of these
 * two, or the bcrypt job it is suspended for.
 */
static int reading, answered;

static struct http_auth_job *job_of(void *req_cls)
{
	return req_cls && req_cls != &reading && req_cls != &answered ? req_cls : NULL;
}

/*
 * A TLS client that sent its whole ClientHello is in its handshake, not
 * squatting: evicted only after those that never did (http_guard_spoke()).
 */
static void on_client_hello(void *mhd_conn)
{
	struct http_guard_conn *c = mhd_conn ? guarded(mhd_conn) : NULL;

	if (c)
		http_guard_spoke(c);
}

/* Refused connections are accepted and closed at once, before any byte is read. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct http_server *s = cls;

	(void)len;
	return http_guard_admit(s->guard, addr) ? MHD_YES : MHD_NO;
}

/*
 * At the connection limit MHD takes the listen socket out of its epoll set
 * and, in 0.9.75, puts it back only at the start of a later MHD_run(): the
 * slot freed by a close would stay unused, with clients queueing in the
 * backlog, until some other event or timeout.  A close therefore asks for
 * one more run straight away.
 */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	const union MHD_ConnectionInfo *fd, *addr;
	struct mhd_instance *in;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		s->closed = true;
		if (*socket_ctx)
			http_guard_close(s->guard, *socket_ctx);
		*socket_ctx = NULL;
		return;
	}
	in = http_instance_of(s, conn);
	if (in->sec.tls.enabled) {
		const union MHD_ConnectionInfo *tls =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);

		if (tls && tls->tls_session)
			http_tls_session_start(tls->tls_session, in->sec.tls.client_auth,
					       on_client_hello);
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	/*
	 * From here the headers deadline runs, through the TLS handshake too.
	 * Out of memory: the connection is served, only without deadlines.
	 */
	*socket_ctx = fd && addr ? http_guard_open(s->guard, addr->client_addr, fd->connect_fd,
						   http_now_ms())
				 : NULL;
}

/* True when the client has ended its side: only the end of input is left in the socket. */
static bool peer_ended(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/*
 * A response sent: the connection now waits for the next request.  One
 * whose client has ended its side can bring no new request, only those it
 * had already sent: it gets the headers deadline, not the idle one.  (With
 * epoll, libmicrohttpd 0.9.75 does not see an end of input that came with
 * the last request's bytes, so it would hold such a connection until the
 * idle deadline.)
 */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct http_guard_conn *c = guarded(conn);
	const union MHD_ConnectionInfo *fd =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	(void)toe;
	/* Closed after its bcrypt, before it was answered (shutdown, a deadline). */
	http_auth_job_free(job_of(*req_cls));
	*req_cls = NULL;
	if (c)
		http_guard_enter(s->guard, c,
				 fd && peer_ended(fd->connect_fd) ? HTTP_PHASE_HEADERS
								  : HTTP_PHASE_IDLE,
				 http_now_ms());
	/* The answer is in the socket's buffer; FIN follows it, nothing more is read. */
	if (http_instance_of(s, conn) == &s->old && fd)
		shutdown(fd->connect_fd, SHUT_RDWR);
}

/* header and value: one more header, or NULL. */
static struct MHD_Response *canned(const char *body, const char *header, const char *value)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return NULL;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, HTTP_TEXT_TYPE) != MHD_YES ||
	    (header && MHD_add_response_header(r, header, value) != MHD_YES)) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

static const struct http_route *find_route(const struct http_server *s, const char *url)
{
	size_t i;

	for (i = 0; i < s->n_routes; i++)
		if (!strcmp(s->routes[i].path, url))
			return &s->routes[i];
	return NULL;
}

/* Keeps r (one more reference) for the route's other requests of this run. */
static void share(struct http_server *s, const struct http_route *route, struct MHD_Response *r,
		  unsigned int status)
{
	struct shared_response *sh = &s->shared[route - s->routes];

	if (!route->shared)
		return;
	if (sh->response)
		MHD_destroy_response(sh->response);
	/* MHD counts the references of a response; queueing one takes one more. */
	sh->response = r;
	sh->status = status;
	sh->run = s->runs;
}

static enum MHD_Result serve_route(struct http_server *s, struct MHD_Connection *conn,
				   const struct http_route *route)
{
	const char *arg =
		MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, route->arg ?: "id");
	struct shared_response *sh = &s->shared[route - s->routes];
	struct http_body out = { 0 };
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned int status;

	/* Concurrent scrapes share one rendering: the maps are read once a run. */
	if (sh->response && !arg && sh->run == s->runs)
		return MHD_queue_response(conn, sh->status, sh->response);
	if (route->handler(s->ctx, arg, &out) < 0) {
		free(out.body);
		return MHD_queue_response(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, s->failed);
	}
	/* MHD frees the body with the response: no copy of a large exposition. */
	r = MHD_create_response_from_buffer_with_free_callback(out.len, out.body, free);
	if (!r) {
		free(out.body);
		return MHD_queue_response(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, s->failed);
	}
	if (out.content_type &&
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, out.content_type) != MHD_YES) {
		MHD_destroy_response(r);
		return MHD_queue_response(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, s->failed);
	}
	status = out.status ? out.status : MHD_HTTP_OK;
	ret = MHD_queue_response(conn, status, r);
	if (arg || !route->shared)
		MHD_destroy_response(r);
	else
		share(s, route, r, status);
	return ret;
}

/*
 * MHD calls this once with the headers, again for every chunk of request
 * body, and a last time with no data once the request is complete.
 *
 * Other methods are refused on the first call: MHD then skips "100 Continue"
 * and never buffers the body, only closes the connection afterwards.  GET
 * and HEAD are answered on the last call, because MHD 0.9.75 keeps the
 * connection alive only for a response queued after the whole request.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct http_server *s = cls;
	struct http_auth_job *job = job_of(*req_cls);
	const struct http_route *route;
	enum MHD_Result refusal;
	enum admission adm;

	(void)version;
	(void)upload_data;
	if (!*req_cls && guarded(conn))
		http_guard_enter(s->guard, guarded(conn), HTTP_PHASE_RESPONSE, http_now_ms());
	if (*req_cls == &answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	route = find_route(s, url);
	if (!*req_cls && strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		*req_cls = &answered;
		if (http_admitted(s, conn, false, req_cls, &refusal) != ADMIT)
			return refusal;
		if (!route)
			return MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, s->not_found);
		return MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, s->not_allowed);
	}
	if (!*req_cls || (!job && *upload_data_size)) {
		*req_cls = &reading;
		*upload_data_size = 0;
		return MHD_YES;
	}
	*req_cls = &answered;
	if (job) {
		/* Resumed: the worker has checked the password. */
		if (!http_auth_end(http_instance_of(s, conn)->auth, job, http_now_ms()))
			return http_refuse(s, conn, HTTP_REFUSED_PASSWORD, &refusal), refusal;
	} else {
		adm = http_admitted(s, conn, true, req_cls, &refusal);
		if (adm == SUSPEND)
			return MHD_YES;
		if (adm == REFUSE)
			return refusal;
	}
	if (!route)
		return MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, s->not_found);
	return serve_route(s, conn, route);
}

void http_instance_stop(struct http_server *s, struct mhd_instance *in)
{
	MHD_socket fd;

	if (in->mhd && s->pool) {
		/* MHD must not be stopped with connections suspended: none is left waiting. */
		http_auth_pool_cancel(s->pool, in->mhd);
		http_resume_checked(s);
	}
	if (in->mhd) {
		/* Quiesced, MHD leaves the socket alone: no shutdown(2) of what the next one serves. */
		fd = MHD_quiesce_daemon(in->mhd);
		MHD_stop_daemon(in->mhd);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	http_auth_free(in->auth);
	web_security_free(&in->sec);
	memset(in, 0, sizeof(*in));
	in->epoll_fd = -1;
}

/* Starts MHD on a duplicate of the listen fd: the socket outlives any one instance. */
static int instance_start(struct http_server *s, struct mhd_instance *in,
			  const struct web_config *web, char *err, size_t errlen)
{
	const struct web_tls_config *tls = &in->sec.tls;
	struct MHD_OptionItem opts[10];
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	char why[256] = "";
	int n = 0, fd;

	memset(in, 0, sizeof(*in));
	in->epoll_fd = -1;
	if (web_security_copy(&in->sec, web) ||
	    (in->sec.n_users && !(in->auth = http_auth_new(in->sec.users, in->sec.n_users)))) {
		snprintf(err, errlen, "out of memory");
		http_instance_stop(s, in);
		return -ENOMEM;
	}
	fd = fcntl(s->listen_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		int saved = errno;

		snprintf(err, errlen, "cannot duplicate the listening socket: %s", strerror(saved));
		http_instance_stop(s, in);
		return -saved;
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, fd, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
					     MHD_CONNECTION_LIMIT_BACKSTOP, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
					     MHD_CONNECTION_TIMEOUT_BACKSTOP_S, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
					     HTTP_CONNECTION_MEMORY, NULL };
	if (tls->enabled) {
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, tls->cert.data };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, tls->key.data };
		opts[n++] =
			(struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						 (void *)http_tls_priorities(tls->min_version) };
		if (tls->client_ca.data)
			opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
							     tls->client_ca.data };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	s->start_err = why;
	s->start_errlen = sizeof(why);
	/* MHD complains unless its logger comes before every other option. */
	in->mhd = MHD_start_daemon(
		flags, 0, on_accept, s, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	s->start_err = NULL;
	if (!in->mhd) {
		close(fd);
		snprintf(err, errlen, "%s", *why ? why : "libmicrohttpd refused to start");
		http_instance_stop(s, in);
		return -EINVAL;
	}
	info = MHD_get_daemon_info(in->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0) {
		snprintf(err, errlen, "no epoll fd");
		http_instance_stop(s, in);
		return -EINVAL;
	}
	in->epoll_fd = info->epoll_fd;
	return 0;
}

/* The loop watches s->epoll_fd; it holds the instance's own. */
static int watch_instance(struct http_server *s, const struct mhd_instance *in)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, in->epoll_fd, &ev) ? -errno : 0;
}

static void free_server(struct http_server *s)
{
	for (size_t i = 0; s->shared && i < s->n_routes; i++) {
		if (s->shared[i].response)
			MHD_destroy_response(s->shared[i].response);
	}
	free(s->shared);
	http_guard_free(s->guard);
	if (s->not_found)
		MHD_destroy_response(s->not_found);
	if (s->not_allowed)
		MHD_destroy_response(s->not_allowed);
	if (s->failed)
		MHD_destroy_response(s->failed);
	if (s->unauthorized)
		MHD_destroy_response(s->unauthorized);
	if (s->forbidden)
		MHD_destroy_response(s->forbidden);
	if (s->too_many)
		MHD_destroy_response(s->too_many);
	http_auth_pool_free(s->pool);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	free(s);
}

void http_limits_from_web(const struct web_config *w, struct http_limits *out)
{
	*out = (struct http_limits){
		.max_connections = w->max_connections,
		.max_connections_per_client = w->max_connections_per_client,
		.header_timeout_ms = w->header_timeout_ms,
		.idle_timeout_ms = w->idle_timeout_ms,
	};
}

struct http_server *http_server_start(int listen_fd, const struct http_route *routes,
				      size_t n_routes, void *ctx, const struct http_limits *lim,
				      const struct web_config *web, char *err, size_t errlen)
{
	struct http_server *s;
	char why[256];

	/* MHD would quietly open a socket of its own on a random port. */
	if (listen_fd < 0) {
		snprintf(err, errlen, "cannot start HTTP server: no listening socket");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "cannot start HTTP server: %s", strerror(errno));
		return NULL;
	}
	s->cur.epoll_fd = -1;
	s->old.epoll_fd = -1;
	s->listen_fd = listen_fd;
	s->routes = routes;
	s->n_routes = n_routes;
	s->ctx = ctx;
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	s->not_found = canned("not found\n", NULL, NULL);
	s->not_allowed = canned("method not allowed\n", MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	s->failed = canned("internal server error\n", NULL, NULL);
	s->unauthorized =
		canned("unauthorized\n", MHD_HTTP_HEADER_WWW_AUTHENTICATE, HTTP_AUTH_REALM);
	s->forbidden = canned("client certificate refused\n", NULL, NULL);
	s->too_many = canned("too many password attempts, try again later\n",
			     MHD_HTTP_HEADER_RETRY_AFTER, "1");
	s->pool = http_auth_pool_new();
	s->shared = calloc(n_routes ? n_routes : 1, sizeof(*s->shared));
	s->guard = http_guard_new(lim);
	if (s->epoll_fd < 0 || !s->not_found || !s->not_allowed || !s->failed || !s->unauthorized ||
	    !s->forbidden || !s->too_many || !s->pool || !s->shared || !s->guard ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, http_auth_pool_fd(s->pool),
		      &(struct epoll_event){ .events = EPOLLIN })) {
		snprintf(err, errlen, "cannot start HTTP server: out of memory");
		free_server(s);
		return NULL;
	}
	if (instance_start(s, &s->cur, web, why, sizeof(why)) || watch_instance(s, &s->cur)) {
		snprintf(err, errlen, "cannot start HTTP%s server: %s", web->tls.enabled ? "S" : "",
			 why);
		http_instance_stop(s, &s->cur);
		free_server(s);
		return NULL;
	}
	return s;
}

int http_server_reconfigure(struct http_server *s, const struct web_config *web, char *err,
			    size_t errlen)
{
	struct mhd_instance next;
	MHD_socket fd;
	char why[256];
	int ret;

	if (web_security_equal(&s->cur.sec, web))
		return 0;
	/* Nothing runs in between: the old instance accepts nothing more once the new one is up. */
	ret = instance_start(s, &next, web, why, sizeof(why));
	if (!ret)
		ret = watch_instance(s, &next);
	if (ret) {
		snprintf(err, errlen, "cannot restart the HTTP%s server: %s",
			 web->tls.enabled ? "S" : "", why);
		http_instance_stop(s, &next);
		return ret;
	}
	for (size_t i = 0; i < s->n_routes; i++) {
		if (s->shared[i].response)
			MHD_destroy_response(s->shared[i].response);
		s->shared[i].response = NULL;
	}
	/* One retiring at a time; closing its epoll fd takes it out of s->epoll_fd. */
	http_instance_stop(s, &s->old);
	s->old = s->cur;
	s->cur = next;
	fd = MHD_quiesce_daemon(s->old.mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	http_guard_shut_idle(s->guard);
	return 1;
}

bool http_server_tls(const struct http_server *s)
{
	return s->cur.sec.tls.enabled;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	http_instance_stop(s, &s->old);
	http_instance_stop(s, &s->cur);
	close(s->listen_fd);
	free_server(s);
}

/* Requests whose bcrypt is done are served again, by this run of MHD. */
void http_resume_checked(struct http_server *s)
{
	struct http_auth_job *job;

	while ((job = http_auth_pool_done(s->pool)))
		MHD_resume_connection(job->owner);
}
