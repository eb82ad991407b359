// SPDX-License-Identifier: GPL-2.0
/* A probe's filter and stack policy in the form of its BPF program's rodata. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "probe_filter.h"

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
