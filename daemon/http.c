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
 * A rendering served again, as it is, to the other requests read in the same
 * run of the server: those that were waiting while it rendered, and any that
 * arrived while the run went on, milliseconds later at most.  A request read
 * in a later run renders anew, so no answer is older than one run.
 */
struct shared_response {
	struct MHD_Response *response;
	unsigned int status;
	uint64_t run;
};

/*
 * One libmicrohttpd daemon with its TLS settings and users.  A reload that
 * changes them starts a new one on the same listening socket (on a
 * duplicate of its fd), so the socket and the connections waiting in its
 * backlog are never dropped, and retires this one: it accepts no more,
 * its kept-alive connections are closed at once, and those in the middle
 * of a request get that one answer, checked against the settings they were
 * opened under, and are closed after it (their deadlines still apply).
 */
struct mhd_instance {
	struct MHD_Daemon *mhd;
	int epoll_fd;		/* libmicrohttpd's */
	struct web_config sec;	/* own copy: tls and users only */
	struct http_auth *auth; /* NULL: no users, no authentication */
};

struct http_server {
	struct mhd_instance cur;
	struct mhd_instance old; /* retiring, mhd NULL when none */
	int listen_fd;
	int epoll_fd; /* holds cur.epoll_fd, so that the daemon loop's fd never changes */
	const struct http_route *routes;
	size_t n_routes;
	struct shared_response *shared; /* one per route */
	struct http_guard *guard;
	void *ctx;
	/* Canned replies, created once and shared by every connection. */
	struct MHD_Response *not_found;
	struct MHD_Response *not_allowed;
	struct MHD_Response *failed;
	struct MHD_Response *unauthorized;
	struct MHD_Response *forbidden;
	struct MHD_Response *too_many;
	/* bcrypt off the loop: requests wait for it suspended (see admitted()). */
	struct http_auth_pool *pool;
	/* A connection was closed by the last http_server_run(). */
	bool closed;
	uint64_t runs;			 /* http_server_run() calls, to tell concurrent requests */
	uint64_t refused[HTTP_REFUSALS]; /* after the handshake */
	/* Set only inside http_server_start(), to catch MHD's reason for failing. */
	char *start_err;
	size_t start_errlen;
};

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

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct mhd_instance *instance_of(struct http_server *s, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_DAEMON);

	return info && s->old.mhd && info->daemon == s->old.mhd ? &s->old : &s->cur;
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
	in = instance_of(s, conn);
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
	*socket_ctx =
		fd && addr ? http_guard_open(s->guard, addr->client_addr, fd->connect_fd, now_ms())
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
				 now_ms());
	/* The answer is in the socket's buffer; FIN follows it, nothing more is read. */
	if (instance_of(s, conn) == &s->old && fd)
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

enum admission {
	ADMIT,
	REFUSE,	 /* the refusal queued */
	SUSPEND, /* waiting for a bcrypt worker */
};

static enum admission refuse(struct http_server *s, struct MHD_Connection *conn,
			     enum http_refusal why, enum MHD_Result *refusal)
{
	bool busy = why == HTTP_REFUSED_AUTH_BUSY || why == HTTP_REFUSED_AUTH_BUDGET;

	s->refused[why]++;
	*refusal =
		MHD_queue_response(conn, busy ? MHD_HTTP_TOO_MANY_REQUESTS : MHD_HTTP_UNAUTHORIZED,
				   busy ? s->too_many : s->unauthorized);
	return REFUSE;
}

/*
 * Checked for every path, known or not, and every method, so that a
 * stranger learns nothing.  A password not known right or wrong is checked
 * by a worker while the connection is suspended (may_wait), or refused:
 * a method that is refused anyway is not worth a bcrypt.
 */
static enum admission admitted(struct http_server *s, struct MHD_Connection *conn, bool may_wait,
			       void **req_cls, enum MHD_Result *refusal)
{
	struct mhd_instance *in = instance_of(s, conn);
	const union MHD_ConnectionInfo *tls, *addr;
	char *user, *password = NULL;
	struct http_auth_job *job;
	enum http_auth_verdict v;

	if (in->sec.tls.enabled) {
		tls = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		if (!http_tls_client_allowed(tls ? tls->tls_session : NULL,
					     in->sec.tls.client_auth)) {
			s->refused[HTTP_REFUSED_CLIENT_CERTIFICATE]++;
			*refusal = MHD_queue_response(conn, MHD_HTTP_FORBIDDEN, s->forbidden);
			return REFUSE;
		}
	}
	if (!in->auth)
		return ADMIT;
	addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	user = MHD_basic_auth_get_username_password(conn, &password);
	v = http_auth_begin(in->auth, addr ? addr->client_addr : NULL, user, password, now_ms(),
			    &job);
	if (password)
		explicit_bzero(password, strlen(password));
	MHD_free(user);
	MHD_free(password);
	switch (v) {
	case HTTP_AUTH_OK:
		return ADMIT;
	case HTTP_AUTH_KNOWN_WRONG:
		return refuse(s, conn, HTTP_REFUSED_PASSWORD_KNOWN, refusal);
	case HTTP_AUTH_OVER_BUDGET:
		return refuse(s, conn, HTTP_REFUSED_AUTH_BUDGET, refusal);
	case HTTP_AUTH_NEEDS_BCRYPT:
		break;
	default:
		return refuse(s, conn, HTTP_REFUSED_PASSWORD, refusal);
	}
	job->owner = conn;
	if (may_wait && http_auth_pool_submit(s->pool, job, in->mhd)) {
		*req_cls = job;
		MHD_suspend_connection(conn);
		return SUSPEND;
	}
	http_auth_end(in->auth, job, now_ms()); /* not run: the attempt given back */
	return refuse(s, conn, may_wait ? HTTP_REFUSED_AUTH_BUSY : HTTP_REFUSED_PASSWORD, refusal);
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
		http_guard_enter(s->guard, guarded(conn), HTTP_PHASE_RESPONSE, now_ms());
	if (*req_cls == &answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	route = find_route(s, url);
	if (!*req_cls && strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		*req_cls = &answered;
		if (admitted(s, conn, false, req_cls, &refusal) != ADMIT)
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
		if (!http_auth_end(instance_of(s, conn)->auth, job, now_ms()))
			return refuse(s, conn, HTTP_REFUSED_PASSWORD, &refusal), refusal;
	} else {
		adm = admitted(s, conn, true, req_cls, &refusal);
		if (adm == SUSPEND)
			return MHD_YES;
		if (adm == REFUSE)
			return refusal;
	}
	if (!route)
		return MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, s->not_found);
	return serve_route(s, conn, route);
}

static void resume_checked(struct http_server *s);

static void instance_stop(struct http_server *s, struct mhd_instance *in)
{
	MHD_socket fd;

	if (in->mhd && s->pool) {
		/* MHD must not be stopped with connections suspended: none is left waiting. */
		http_auth_pool_cancel(s->pool, in->mhd);
		resume_checked(s);
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
		instance_stop(s, in);
		return -ENOMEM;
	}
	fd = fcntl(s->listen_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		int saved = errno;

		snprintf(err, errlen, "cannot duplicate the listening socket: %s", strerror(saved));
		instance_stop(s, in);
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
		instance_stop(s, in);
		return -EINVAL;
	}
	info = MHD_get_daemon_info(in->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0) {
		snprintf(err, errlen, "no epoll fd");
		instance_stop(s, in);
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
		instance_stop(s, &s->cur);
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
		instance_stop(s, &next);
		return ret;
	}
	for (size_t i = 0; i < s->n_routes; i++) {
		if (s->shared[i].response)
			MHD_destroy_response(s->shared[i].response);
		s->shared[i].response = NULL;
	}
	/* One retiring at a time; closing its epoll fd takes it out of s->epoll_fd. */
	instance_stop(s, &s->old);
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
	instance_stop(s, &s->old);
	instance_stop(s, &s->cur);
	close(s->listen_fd);
	free_server(s);
}

int http_server_fd(struct http_server *s)
{
	return s->epoll_fd;
}

/* Requests whose bcrypt is done are served again, by this run of MHD. */
static void resume_checked(struct http_server *s)
{
	struct http_auth_job *job;

	while ((job = http_auth_pool_done(s->pool)))
		MHD_resume_connection(job->owner);
}

int http_server_run(struct http_server *s)
{
	int ret;

	s->closed = false;
	s->runs++;
	resume_checked(s);
	ret = MHD_run(s->cur.mhd) == MHD_YES ? 0 : -1;
	if (s->old.mhd) {
		const union MHD_DaemonInfo *left;

		MHD_run(s->old.mhd);
		left = MHD_get_daemon_info(s->old.mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (left && !left->num_connections)
			instance_stop(s, &s->old);
	}
	/* Shut sockets wake MHD's epoll set: the next run closes them. */
	if (http_guard_settle(s->guard))
		s->closed = true;
	http_guard_expire(s->guard, now_ms());
	return ret;
}

/* The sooner of two timeouts, either of them maybe missing (-1). */
static int64_t sooner(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	return b >= 0 && b < a ? b : a;
}

static int64_t instance_timeout_ms(const struct mhd_instance *in)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (!in->mhd || MHD_get_timeout(in->mhd, &ms) != MHD_YES)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int64_t)ms;
}

int http_server_timeout_ms(struct http_server *s)
{
	int64_t ms = http_guard_next_ms(s->guard, now_ms());

	if (s->closed)
		return 0;
	ms = sooner(ms, instance_timeout_ms(&s->cur));
	ms = sooner(ms, instance_timeout_ms(&s->old));
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

void http_server_set_limits(struct http_server *s, const struct http_limits *lim)
{
	http_guard_set_limits(s->guard, lim);
}

void http_server_stats(const struct http_server *s, struct http_stats *out)
{
	http_guard_stats(s->guard, out);
	memcpy(out->refused, s->refused, sizeof(out->refused));
	out->refused[HTTP_REFUSED_CLIENT_CERTIFICATE] += http_tls_handshake_refusals();
}
