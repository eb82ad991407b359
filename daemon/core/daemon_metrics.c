// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's own families that daemon_collect() adds beside the probes':
 * the build, the reload state, each probe's stack map and evicted series.
 * The probe set's life (start, reload, collect, stop) is daemon.c.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "daemon_metrics.h"
#include "expo.h"
#include "map_expo.h"
#include "self_metrics.h"
#include "stacks.h"
#include "version.h"

/* Each probe's kernel stack map: its fill, and the ids deleted because no series held them. */
int daemon_emit_stack_maps(struct expo *e, const struct stack_table *t, const struct probe *probes,
			   int n)
{
	struct expo_family *freed;

	freed = expo_self_family(e, SM_STACK_MAP_FREED_TOTAL);
	if (!freed)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct probe *p = &probes[i];
		struct expo_label l[] = { { "probe", p->ops->name } };
		struct stack_map_stats st;
		int err;

		if (!p->attached || p->stack_map_fd < 0)
			continue;
		stack_table_map_stats(t, p->stack_map_fd, &st);
		err = map_expo_fill(e, p->ops->name, "stack_traces", st.entries, p->max_stacks)
			      ?: expo_add_u64(freed, l, 1, st.freed);
		if (err)
			return err;
	}
	return 0;
}

int daemon_emit_evicted(struct expo *e, const struct daemon *d)
{
	struct expo_family *f;

	if (!d->netns)
		return 0;
	f = expo_self_family(e, SM_NETNS_EVICTED_SERIES_TOTAL);
	if (!f)
		return -ENOMEM;
	for (int i = 0; i < d->n_probes; i++) {
		const struct probe *p = &d->probes[i];

		if (p->attached &&
		    expo_add_u64(f, (struct expo_label[]){ { "probe", p->ops->name } }, 1,
				 p->netns_evicted))
			return -ENOMEM;
	}
	return 0;
}

int daemon_emit_build_info(struct expo *e)
{
	struct expo_family *f = expo_self_family(e, SM_BUILD_INFO);
	char libbpf[32];
	struct utsname u;

	if (!f)
		return -ENOMEM;
	uname(&u);
	snprintf(libbpf, sizeof(libbpf), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	return expo_add_u64(f,
			    (struct expo_label[]){ { "version", SKBTRACE_VERSION },
						   { "libbpf_version", libbpf },
						   { "kernel", u.release } },
			    3, 1);
}

/* What an alert needs to see that the running configuration is not the file's. */
int daemon_emit_reload_state(struct expo *e, const struct daemon *d)
{
	struct expo_family *f = expo_self_family(e, SM_CONFIG_LAST_RELOAD_SUCCESSFUL);

	if (!f || expo_add_u64(f, NULL, 0, !d->last_reload_failed))
		return -ENOMEM;
	if (!d->attach_failed[0])
		return 0;
	f = expo_self_family(e, SM_PROBE_ATTACH_FAILED);
	return f && !expo_add_u64(f, (struct expo_label[]){ { "probe", d->attach_failed } }, 1, 1)
		       ? 0
		       : -ENOMEM;
}
