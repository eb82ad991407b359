// SPDX-License-Identifier: GPL-2.0
/* What the daemon core does the same way for every probe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "expo.h"
#include "kernel_btf.h"
#include "log.h"
#include "netns_ids.h"
#include "netns_info.h"
#include "probe.h"

int probe_attach(struct probe *p, const struct probe_env *env)
{
	const struct probe_ops *ops = p->ops;
	const enum attach_method *methods =
		ops->methods_for ? ops->methods_for(&p->cfg) : ops->methods;
	char why[CONFIG_ERR_LEN] = "";
	int err = -ENOENT;

	p->attached = false;
	p->method = ATTACH_AUTO;
	p->error[0] = '\0';
	for (size_t i = 0; i < ops->n_methods; i++) {
		enum attach_method m = methods[i];

		if (p->cfg.attach != ATTACH_AUTO && p->cfg.attach != m)
			continue;
		p->n_netns_maps = p->n_netns_caches = 0;
		p->cache_sweep_fd = -1;
		err = ops->start(p, m, env, why, sizeof(why));
		if (!err) {
			p->attached = true;
			p->method = m;
			log_info("probe %s: attached with %s", ops->name, attach_method_name(m));
			return 0;
		}
		log_info("probe %s: %s is not usable here: %s", ops->name, attach_method_name(m),
			 why);
	}
	if (err == -ENOENT && p->cfg.attach != ATTACH_AUTO && !why[0]) {
		snprintf(p->error, sizeof(p->error), "%s.attach: probe %s cannot attach with %s",
			 p->cfg.path, ops->name, attach_method_name(p->cfg.attach));
		return -EINVAL;
	}
	snprintf(p->error, sizeof(p->error), "probe %s: cannot attach: %.400s", ops->name, why);
	return err;
}

void probe_detach(struct probe *p)
{
	if (p->attached)
		p->ops->stop(p);
	p->attached = false;
	p->stats_fd = -1;
	p->stack_map_fd = -1;
	p->obj = NULL;
	p->n_netns_maps = p->n_netns_caches = 0;
	p->cache_sweep_fd = -1;
}

static int read_stats(const struct probe *p, uint64_t out[SKBTRACE_STAT_MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	struct skbtrace_stats *percpu;
	uint32_t zero = 0;
	int err;

	memset(out, 0, sizeof(uint64_t) * SKBTRACE_STAT_MAX);
	if (p->stats_fd < 0 || ncpus <= 0)
		return -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	err = bpf_map_lookup_elem(p->stats_fd, &zero, percpu);
	for (int cpu = 0; !err && cpu < ncpus; cpu++) {
		for (int i = 0; i < SKBTRACE_STAT_MAX; i++)
			out[i] += percpu[cpu].v[i];
	}
	free(percpu);
	return err ? -errno : 0;
}

static int add_counter(struct expo *e, const char *name, const char *help, const char *probe,
		       const char *extra_name, const char *extra_value, uint64_t v)
{
	struct expo_family *f = expo_family(e, name, EXPO_COUNTER, help);
	struct expo_label l[] = { { "probe", probe }, { extra_name, extra_value } };

	if (!f)
		return -ENOMEM;
	return expo_add_u64(f, l, extra_name ? 2 : 1, v);
}

int probe_collect_common(struct probe *p, struct expo *e)
{
	const char *method = p->attached ? attach_method_name(p->method) : "none";
	struct expo_family *f;
	uint64_t st[SKBTRACE_STAT_MAX];
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
	f = expo_family(e, "skbtrace_probe_enabled", EXPO_GAUGE,
			"1 if the configuration enables the probe.");
	if (!f ||
	    expo_add_u64(f, (struct expo_label[]){ { "probe", p->ops->name } }, 1, p->cfg.enabled))
		return -ENOMEM;
	f = expo_family(e, "skbtrace_probe_attached", EXPO_GAUGE,
			"1 if the probe is attached, with the attach method the daemon chose.");
	if (!f)
		return -ENOMEM;
	err = expo_add_u64(f,
			   (struct expo_label[]){ { "probe", p->ops->name }, { "method", method } },
			   2, p->attached);
	if (err || !p->attached || read_stats(p, st))
		return err;

	err = add_counter(e, "skbtrace_probe_events_total",
			  "Tracepoint or function hits seen by the probe, before filtering.",
			  p->ops->name, NULL, NULL, st[SKBTRACE_STAT_EVENTS]);
	err = err
		      ?: add_counter(e, "skbtrace_probe_filtered_events_total",
				     "Hits rejected by the probe's configured filter.",
				     p->ops->name, NULL, NULL, st[SKBTRACE_STAT_FILTERED]);
	for (size_t i = 0; !err && i < sizeof(stack_results) / sizeof(stack_results[0]); i++)
		err = add_counter(e, "skbtrace_stack_events_total",
				  "Counted events by stack capture outcome: captured, sampled_out "
				  "(over the per-CPU budget and not sampled) or lost (stack table "
				  "full).",
				  p->ops->name, "result", stack_results[i].result,
				  st[stack_results[i].stat]);
	return err;
}

int probe_expo_map(struct expo *e, const struct probe *p, const char *map, uint64_t entries,
		   uint64_t max_entries, uint64_t overflow)
{
	struct expo_label l[] = { { "probe", p->ops->name }, { "map", map } };
	struct expo_family *fill, *cap, *over;

	fill = expo_family(e, "skbtrace_map_entries", EXPO_GAUGE,
			   "Entries in use in a BPF aggregation map.");
	cap = expo_family(e, "skbtrace_map_max_entries", EXPO_GAUGE,
			  "Capacity of a BPF aggregation map (from the limits config).");
	over = expo_family(e, "skbtrace_map_overflow_events_total", EXPO_COUNTER,
			   "Events that found the map full and were counted in the overflow "
			   "series instead.");
	if (!fill || !cap || !over)
		return -ENOMEM;
	return expo_add_u64(fill, l, 2, entries) ?: expo_add_u64(cap, l, 2, max_entries)
						       ?: expo_add_u64(over, l, 2, overflow);
}

int probe_read_stats(const struct probe *p, uint64_t out[SKBTRACE_STAT_MAX])
{
	return read_stats(p, out);
}

static int resolve_reasons(const char (*names)[64], int n, const struct enum_names *reasons,
			   const char *kind, const char *path, const char *list, __u32 *out,
			   char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		if (!reasons || enum_names_find(reasons, names[i], &out[i])) {
			snprintf(err, errlen,
				 "%s.filter.reasons.%s[%d]: \"%s\" is not a %s of the running "
				 "kernel",
				 path, list, i, names[i], kind);
			return -EINVAL;
		}
	}
	return 0;
}

int probe_filter_to_bpf(const struct probe_config *cfg, const struct enum_names *reasons,
			const char *reason_kind, struct skbtrace_filter *out, char *err,
			size_t errlen)
{
	const struct filter_config *fc = &cfg->filter;
	int ret;

	memset(out, 0, sizeof(*out));
	out->has_protocols = !!(fc->set & FILTER_PROTOCOL);
	memcpy(out->protocols, fc->protocols, sizeof(out->protocols));
	out->n_saddr = fc->n_saddr;
	memcpy(out->saddr, fc->saddr, sizeof(out->saddr));
	out->n_daddr = fc->n_daddr;
	memcpy(out->daddr, fc->daddr, sizeof(out->daddr));
	out->n_sport = fc->n_sport;
	memcpy(out->sport, fc->sport, sizeof(out->sport));
	out->n_dport = fc->n_dport;
	memcpy(out->dport, fc->dport, sizeof(out->dport));
	out->n_netns = fc->n_netns;
	memcpy(out->netns, fc->netns, sizeof(out->netns));
	out->n_reason_include = fc->n_reason_include;
	out->n_reason_exclude = fc->n_reason_exclude;
	ret = resolve_reasons(fc->reason_include, fc->n_reason_include, reasons, reason_kind,
			      cfg->path, "include", out->reason_include, err, errlen);
	return ret
		       ?: resolve_reasons(fc->reason_exclude, fc->n_reason_exclude, reasons,
					  reason_kind, cfg->path, "exclude", out->reason_exclude,
					  err, errlen);
}

void probe_stack_policy(const struct probe_config *cfg, struct skbtrace_stack_policy *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = cfg->stacks.mode;
	out->budget_per_cpu = cfg->stacks.budget_per_cpu;
	out->sample_mask = cfg->stacks.sample_one_in ? cfg->stacks.sample_one_in - 1 : 0;
}

int probe_netns_label(const struct probe_env *env, uint32_t netns, char *buf, size_t len)
{
	char *end;
	unsigned long inum;
	int ret = netns_ids_label(env->netns, netns, buf, len);

	if (!ret && env->info) {
		inum = strtoul(buf, &end, 10);
		if (end != buf && !*end)
			netns_info_note(env->info, netns, (uint32_t)inum);
	}
	return ret;
}

void probe_netns_map_add(struct probe *p, int fd, uint32_t netns_off)
{
	if (p->n_netns_maps < PROBE_NETNS_MAPS)
		p->netns_maps[p->n_netns_maps++] = (struct probe_netns_map){ fd, netns_off };
}
