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
			"(client_limit).");
	for (int r = 0; !err && r < HTTP_REJECT_REASONS; r++)
		err = f ? expo_add_u64(
				  f,
				  (struct expo_label[]){ { "reason", http_reject_reason_name(r) } },
				  1, st->rejected[r])
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
			      "password of web.basic_auth_users (password, answered 401), or a "
			      "client certificate that did not verify against "
			      "web.tls_server_config.client_ca_file (client_certificate).");
	for (int r = 0; !err && r < HTTP_REFUSALS; r++)
		err = f ? expo_add_u64(f,
				       (struct expo_label[]){ { "reason", http_refusal_name(r) } },
				       1, st->refused[r])
			: -ENOMEM;
	return err;
}
