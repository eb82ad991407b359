// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "expo.h"
#include "http_guard.h"
#include "http_metrics.h"

int http_stats_expo(struct expo *e, const struct http_stats *st)
{
	struct expo_family *f;
	int err = 0;

	f = expo_family(e, "skbtrace_http_connections", EXPO_GAUGE,
			"HTTP connections open, scrapes and others.");
	if (!f || expo_add_u64(f, NULL, 0, st->open))
		return -ENOMEM;
	f = expo_family(e, "skbtrace_http_connections_rejected_total", EXPO_COUNTER,
			"HTTP connections closed at accept: web.max_connections reached "
			"(connection_limit), or the client's web.max_connections_per_client "
			"(client_limit), and every connection in its scope answering a "
			"request, so that none could be evicted.");
	for (int r = 0; !err && r < HTTP_REJECT_REASONS; r++)
		err = f ? expo_add_u64(
				  f,
				  (struct expo_label[]){ { "reason", http_reject_reason_name(r) } },
				  1, st->rejected[r])
			: -ENOMEM;
	f = err ? NULL
		: expo_family(e, "skbtrace_http_connections_evicted_total", EXPO_COUNTER,
			      "HTTP connections closed to admit a new one, at web.max_connections "
			      "(connection_limit) or the new one's client's "
			      "web.max_connections_per_client (client_limit): the one that had "
			      "waited longest for a request.");
	for (int r = 0; !err && r < HTTP_REJECT_REASONS; r++)
		err = f ? expo_add_u64(
				  f,
				  (struct expo_label[]){ { "reason", http_reject_reason_name(r) } },
				  1, st->evicted[r])
			: -ENOMEM;
	f = err ? NULL
		: expo_family(e, "skbtrace_http_connections_timed_out_total", EXPO_COUNTER,
			      "HTTP connections closed for missing a deadline, by the phase they "
			      "were in: headers (web.header_timeout_seconds), response or idle "
			      "(web.idle_timeout_seconds).");
	for (int p = 0; !err && p < HTTP_PHASES; p++)
		err = f ? expo_add_u64(
				  f, (struct expo_label[]){ { "phase", http_conn_phase_name(p) } },
				  1, st->timed_out[p])
			: -ENOMEM;
	f = err ? NULL
		: expo_family(e, "skbtrace_http_clients_refused_total", EXPO_COUNTER,
			      "HTTP clients turned away: a request without a valid user and "
			      "password of web.basic_auth_users (password, answered 401; "
			      "password_known_wrong when the same wrong one was checked in the "
			      "last 30 s, without bcrypt), a password not checked because the "
			      "bcrypt queue was full (password_queue_full) or the client had "
			      "spent its failed attempts (password_budget), both answered 429, "
			      "or a client certificate that did not verify against "
			      "web.tls_server_config.client_ca_file (client_certificate).");
	for (int r = 0; !err && r < HTTP_REFUSALS; r++)
		err = f ? expo_add_u64(f,
				       (struct expo_label[]){ { "reason", http_refusal_name(r) } },
				       1, st->refused[r])
			: -ENOMEM;
	return err;
}
