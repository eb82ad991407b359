// SPDX-License-Identifier: GPL-2.0
/*
 * What the daemon's loop calls on the server: its one fd, a run, the time
 * until the next run is due; and the limits and statistics the guard keeps.
 * Starting, reconfiguring and serving are http.c.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <microhttpd.h>
#include "http.h"
#include "http_guard.h"
#include "http_internal.h"
#include "http_tls.h"

int http_server_fd(struct http_server *s)
{
	return s->epoll_fd;
}

int http_server_run(struct http_server *s)
{
	int ret;

	s->closed = false;
	s->runs++;
	http_resume_checked(s);
	ret = MHD_run(s->cur.mhd) == MHD_YES ? 0 : -1;
	if (s->old.mhd) {
		const union MHD_DaemonInfo *left;

		MHD_run(s->old.mhd);
		left = MHD_get_daemon_info(s->old.mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (left && !left->num_connections)
			http_instance_stop(s, &s->old);
	}
	/* Shut sockets wake MHD's epoll set: the next run closes them. */
	if (http_guard_settle(s->guard))
		s->closed = true;
	http_guard_expire(s->guard, http_now_ms());
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
	int64_t ms = http_guard_next_ms(s->guard, http_now_ms());

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
