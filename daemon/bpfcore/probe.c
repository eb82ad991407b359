// SPDX-License-Identifier: GPL-2.0
/* What the daemon core does the same way for every probe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "expo.h"
#include "probe.h"
#include "series.h"
#include "self_metrics.h"

int probe_read_stats(const struct probe *p, struct skbtrace_stats *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct skbtrace_stats *percpu;
	uint32_t zero = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (p->stats_fd < 0 || ncpus <= 0)
		return -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	err = bpf_map_lookup_elem(p->stats_fd, &zero, percpu) ? -errno : 0;
	for (int cpu = 0; !err && cpu < ncpus; cpu++) {
		for (int i = 0; i < SKBTRACE_STAT_MAX; i++)
			out->v[i] += percpu[cpu].v[i];
		for (int i = 0; i < SKBTRACE_OVERFLOW_SLOTS; i++) {
			out->overflow[i].events += percpu[cpu].overflow[i].events;
			out->overflow[i].amount += percpu[cpu].overflow[i].amount;
		}
	}
	free(percpu);
	return err;
}

static int add_counter(struct expo *e, enum self_metric id, const char *probe,
		       const char *extra_name, const char *extra_value, uint64_t v)
{
	struct expo_family *f = expo_self_family(e, id);
	struct expo_label l[] = { { "probe", probe }, { extra_name, extra_value } };

	if (!f)
		return -ENOMEM;
	return expo_add_u64(f, l, extra_name ? 2 : 1, v);
}

/* Status, event statistics, stack sampling: what every probe has. */
static int collect_common(struct probe *p, struct expo *e, struct skbtrace_stats *st)
{
	const char *method = p->attached ? attach_method_name(p->method) : "none";
	struct expo_family *f;
	static const struct {
		enum skbtrace_stat stat;
		const char *result;
	} stack_results[] = {
		{ SKBTRACE_STAT_STACK_CAPTURED, "captured" },
		{ SKBTRACE_STAT_STACK_SKIPPED, "sampled_out" },
		{ SKBTRACE_STAT_STACK_LOST, "lost" },
	};
	int err;

	/* Beside attached, so that an alert tells a failed probe from a disabled one. */
	f = expo_self_family(e, SM_PROBE_ENABLED);
	if (!f ||
	    expo_add_u64(f, (struct expo_label[]){ { "probe", p->ops->name } }, 1, p->cfg.enabled))
		return -ENOMEM;
	f = expo_self_family(e, SM_PROBE_ATTACHED);
	if (!f)
		return -ENOMEM;
	err = expo_add_u64(f,
			   (struct expo_label[]){ { "probe", p->ops->name }, { "method", method } },
			   2, p->attached);
	if (err || !p->attached)
		return err;

	err = add_counter(e, SM_PROBE_EVENTS_TOTAL, p->ops->name, NULL, NULL,
			  st->v[SKBTRACE_STAT_EVENTS]);
	err = err
		      ?: add_counter(e, SM_PROBE_FILTERED_EVENTS_TOTAL, p->ops->name, NULL, NULL,
				     st->v[SKBTRACE_STAT_FILTERED]);
	for (size_t i = 0; !err && i < sizeof(stack_results) / sizeof(stack_results[0]); i++)
		err = add_counter(e, SM_STACK_EVENTS_TOTAL, p->ops->name, "result",
				  stack_results[i].result, st->v[stack_results[i].stat]);
	return err;
}

int probe_collect(struct probe *p, struct expo *e, const struct probe_env *env)
{
	struct skbtrace_stats st;
	int err = p->attached ? probe_read_stats(p, &st) : 0;

	err = err ?: collect_common(p, e, &st);
	for (size_t i = 0; !err && p->attached && i < p->ops->n_series; i++)
		err = series_collect(p, &p->ops->series[i], e, env, &st);
	if (!err && p->attached && p->ops->collect)
		err = p->ops->collect(p, e, env);
	return err;
}
