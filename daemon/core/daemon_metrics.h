/* SPDX-License-Identifier: GPL-2.0 */
/* daemon_collect()'s own families (daemon_metrics.c); only core/ includes this. */
#ifndef SKBTRACE_DAEMON_METRICS_H
#define SKBTRACE_DAEMON_METRICS_H

#include "daemon.h"

struct expo;
struct stack_table;

int daemon_emit_stack_maps(struct expo *e, const struct stack_table *t, const struct probe *probes,
			   int n);
int daemon_emit_evicted(struct expo *e, const struct daemon *d);
int daemon_emit_build_info(struct expo *e);
int daemon_emit_reload_state(struct expo *e, const struct daemon *d);

#endif
