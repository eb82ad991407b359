// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "conntrack.h"
#include "conntrack_ns.h"
#include "conntrack_stat.h"
#include "expo.h"
#include "log.h"
#include "netns.h"

static int read_stat(void *ctx)
{
	return ct_stat_read(ctx);
}

/* Reads every namespace of the list into a new array; unreadable ones are marked absent. */
static struct ct_stat *read_all(const struct netns_list *l, bool *ok)
{
	struct ct_stat *st = calloc(l->n ? l->n : 1, sizeof(*st));

	if (!st)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		/* A process may exit between the scan and now: skip its namespace. */
		ok[i] = !netns_run_in(l->v[i].path, read_stat, &st[i]);
	return st;
}

int ct_seed_last_drop(int map_fd, uint32_t max_netns)
{
	struct netns_list l;
	struct ct_stat *st;
	bool *ok;
	int err = netns_list_scan(&l, max_netns);

	if (err)
		return err;
	ok = calloc(l.n ? l.n : 1, sizeof(*ok));
	st = ok ? read_all(&l, ok) : NULL;
	if (!st)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < l.n; i++) {
		for (int cpu = 0; ok[i] && cpu < st[i].n_cpus; cpu++) {
			struct ct_cpu_key k = { l.v[i].inum, cpu };

			if (bpf_map_update_elem(map_fd, &k, &st[i].cpu_drop[cpu], BPF_ANY)) {
				err = -errno;
				break;
			}
		}
	}
	free(st);
	free(ok);
	netns_list_free(&l);
	return err;
}

static const char *const stat_metric[CT_STAT_FIELDS] = {
	[CT_STAT_DROP] = "skbtrace_conntrack_stat_drop_total",
	[CT_STAT_EARLY_DROP] = "skbtrace_conntrack_stat_early_drop_total",
	[CT_STAT_INSERT_FAILED] = "skbtrace_conntrack_stat_insert_failed_total",
	[CT_STAT_INVALID] = "skbtrace_conntrack_stat_invalid_total",
};

static const char *const stat_help[CT_STAT_FIELDS] = {
	[CT_STAT_DROP] = "Kernel conntrack statistic `drop`: packets dropped because no entry "
			 "could be allocated, nearly always a full table.",
	[CT_STAT_EARLY_DROP] = "Kernel conntrack statistic `early_drop`: entries evicted to make "
			       "room in a full table.",
	[CT_STAT_INSERT_FAILED] = "Kernel conntrack statistic `insert_failed`: entries that "
				  "could not be inserted (e.g. lost races).",
	[CT_STAT_INVALID] = "Kernel conntrack statistic `invalid`: packets conntrack could not "
			    "track.",
};

static int emit_one(struct expo *e, const char *netns, const struct ct_stat *s)
{
	struct expo_label l = { "netns", netns };
	struct expo_family *f;
	int err;

	f = expo_family(e, "skbtrace_conntrack_entries", EXPO_GAUGE,
			"Conntrack entries in use in the network namespace (nf_conntrack_count).");
	err = f ? expo_add_u64(f, &l, 1, s->entries) : -ENOMEM;
	if (!err && s->has_limit) {
		f = expo_family(e, "skbtrace_conntrack_entries_limit", EXPO_GAUGE,
				"Conntrack table limit (nf_conntrack_max) as seen from the "
				"namespace; one global value on most kernels.");
		err = f ? expo_add_u64(f, &l, 1, s->limit) : -ENOMEM;
	}
	for (int i = 0; !err && i < CT_STAT_FIELDS; i++) {
		f = expo_family(e, stat_metric[i], EXPO_COUNTER, stat_help[i]);
		err = f ? expo_add_u64(f, &l, 1, s->sum[i]) : -ENOMEM;
	}
	return err;
}

int ct_expo_namespaces(struct expo *e, uint32_t max_netns)
{
	struct expo_family *f;
	struct netns_list l;
	struct ct_stat *st = NULL;
	bool *ok = NULL;
	int err = netns_list_scan(&l, max_netns);

	if (err) {
		log_warn("conntrack: cannot list network namespaces: %s", strerror(-err));
		return 0;
	}
	ok = calloc(l.n ? l.n : 1, sizeof(*ok));
	st = ok ? read_all(&l, ok) : NULL;
	if (!st)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < l.n; i++) {
		char netns[16];

		if (!ok[i] || !st[i].active)
			continue;
		snprintf(netns, sizeof(netns), "%u", l.v[i].inum);
		err = emit_one(e, netns, &st[i]);
	}
	f = err ? NULL
		: expo_family(e, "skbtrace_conntrack_netns_over_limit", EXPO_GAUGE,
			      "Network namespaces found but not reported at this scrape "
			      "because of limits.max_series.");
	if (!err)
		err = f ? expo_add_u64(f, NULL, 0, l.found - l.n) : -ENOMEM;
	free(st);
	free(ok);
	netns_list_free(&l);
	return err;
}
