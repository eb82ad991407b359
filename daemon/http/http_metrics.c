// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "expo.h"
#include "http_guard.h"
#include "http_metrics.h"
#include "self_metrics.h"

int http_stats_expo(struct expo *e, const struct http_stats *st)
{
	struct expo_family *f;
	int err = 0;

	f = expo_self_family(e, SM_HTTP_CONNECTIONS);
	if (!f || expo_add_u64(f, NULL, 0, st->open))
		return -ENOMEM;
	f = expo_self_family(e, SM_HTTP_CONNECTIONS_REJECTED_TOTAL);
	for (int r = 0; !err && r < HTTP_REJECT_REASONS; r++)
		err = f ? expo_add_u64(
				  f,
				  (struct expo_label[]){ { "reason", http_reject_reason_name(r) } },
				  1, st->rejected[r])
			: -ENOMEM;
	f = err ? NULL : expo_self_family(e, SM_HTTP_CONNECTIONS_EVICTED_TOTAL);
	for (int r = 0; !err && r < HTTP_REJECT_REASONS; r++)
		err = f ? expo_add_u64(
				  f,
				  (struct expo_label[]){ { "reason", http_reject_reason_name(r) } },
				  1, st->evicted[r])
			: -ENOMEM;
	f = err ? NULL : expo_self_family(e, SM_HTTP_CONNECTIONS_TIMED_OUT_TOTAL);
	for (int p = 0; !err && p < HTTP_PHASES; p++)
		err = f ? expo_add_u64(
				  f, (struct expo_label[]){ { "phase", http_conn_phase_name(p) } },
				  1, st->timed_out[p])
			: -ENOMEM;
	f = err ? NULL : expo_self_family(e, SM_HTTP_CLIENTS_REFUSED_TOTAL);
	for (int r = 0; !err && r < HTTP_REFUSALS; r++)
		err = f ? expo_add_u64(f,
				       (struct expo_label[]){ { "reason", http_refusal_name(r) } },
				       1, st->refused[r])
			: -ENOMEM;
	return err;
}
