// SPDX-License-Identifier: GPL-2.0
/*
 * Who may be answered: the client certificate, then the password, whose
 * bcrypt runs on a worker thread (http_auth_pool.c) while the request is
 * suspended, so that wrong passwords cannot stall the daemon's one thread.
 */
#include <stdbool.h>
#include <string.h>
#include <microhttpd.h>
#include "http_auth.h"
#include "http_auth_pool.h"
#include "http_internal.h"
#include "http_tls.h"

struct mhd_instance *http_instance_of(struct http_server *s, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_DAEMON);

	return info && s->old.mhd && info->daemon == s->old.mhd ? &s->old : &s->cur;
}

enum admission http_refuse(struct http_server *s, struct MHD_Connection *conn,
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
enum admission http_admitted(struct http_server *s, struct MHD_Connection *conn, bool may_wait,
			     void **req_cls, enum MHD_Result *refusal)
{
	struct mhd_instance *in = http_instance_of(s, conn);
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
	v = http_auth_begin(in->auth, addr ? addr->client_addr : NULL, user, password,
			    http_now_ms(), &job);
	if (password)
		explicit_bzero(password, strlen(password));
	MHD_free(user);
	MHD_free(password);
	switch (v) {
	case HTTP_AUTH_OK:
		return ADMIT;
	case HTTP_AUTH_KNOWN_WRONG:
		return http_refuse(s, conn, HTTP_REFUSED_PASSWORD_KNOWN, refusal);
	case HTTP_AUTH_OVER_BUDGET:
		return http_refuse(s, conn, HTTP_REFUSED_AUTH_BUDGET, refusal);
	case HTTP_AUTH_NEEDS_BCRYPT:
		break;
	default:
		return http_refuse(s, conn, HTTP_REFUSED_PASSWORD, refusal);
	}
	job->owner = conn;
	if (may_wait && http_auth_pool_submit(s->pool, job, in->mhd)) {
		*req_cls = job;
		MHD_suspend_connection(conn);
		return SUSPEND;
	}
	http_auth_end(in->auth, job, http_now_ms()); /* not run: the attempt given back */
	return http_refuse(s, conn, may_wait ? HTTP_REFUSED_AUTH_BUSY : HTTP_REFUSED_PASSWORD,
			   refusal);
}
