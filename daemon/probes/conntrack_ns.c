// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "conntrack_netns_reader.h"
#include "conntrack_ns.h"
#include "conntrack_stat.h"
#include "expo.h"
#include "log.h"
#include "sysfs.h"
#include "self_metrics.h"

/* The kernel's statistics, by field; their HELP text is in self_metrics.c. */
static const enum self_metric stat_family[CT_STAT_FIELDS] = {
	[CT_STAT_DROP] = SM_CONNTRACK_STAT_DROP_TOTAL,
	[CT_STAT_EARLY_DROP] = SM_CONNTRACK_STAT_EARLY_DROP_TOTAL,
	[CT_STAT_INSERT_FAILED] = SM_CONNTRACK_STAT_INSERT_FAILED_TOTAL,
	[CT_STAT_INVALID] = SM_CONNTRACK_STAT_INVALID_TOTAL,
};

static int emit_one(struct expo *e, uint32_t inum, const struct ct_netns_row *r,
		    const uint64_t *limit)
{
	char netns[16];
	struct expo_label l = { "netns", netns };
	struct expo_family *f;
	int err = 0;

	snprintf(netns, sizeof(netns), "%u", inum);
	if (r->has_count) {
		f = expo_self_family(e, SM_CONNTRACK_ENTRIES);
		err = f ? expo_add_u64(f, &l, 1, r->entries) : -ENOMEM;
	}
	if (!err && limit) {
		f = expo_self_family(e, SM_CONNTRACK_ENTRIES_LIMIT);
		err = f ? expo_add_u64(f, &l, 1, *limit) : -ENOMEM;
	}
	for (int i = 0; !err && i < CT_STAT_FIELDS; i++) {
		f = expo_self_family(e, stat_family[i]);
		/* The kernel's own statistics go on whichever probe instance reads them. */
		expo_family_kernel_owned(f);
		err = f ? expo_add_u64(f, &l, 1, r->sum[i]) : -ENOMEM;
	}
	return err;
}

static int emit_over_limit(struct expo *e, uint64_t n)
{
	struct expo_family *f = expo_self_family(e, SM_CONNTRACK_NETNS_OVER_LIMIT);

	return f ? expo_add_u64(f, NULL, 0, n) : -ENOMEM;
}

/* Without the reader: the daemon's own namespace, from its /proc files. */
static int expo_own_namespace(struct expo *e)
{
	struct ct_netns_row row = { 0 };
	struct ct_stat st;
	struct stat ns;

	if (ct_stat_read(&st) || stat("/proc/self/ns/net", &ns))
		return emit_over_limit(e, 0);
	row.has_count = true;
	row.entries = st.entries;
	memcpy(row.sum, st.sum, sizeof(row.sum));
	return (st.active ? emit_one(e, ns.st_ino, &row, st.has_limit ? &st.limit : NULL) : 0)
		       ?: emit_over_limit(e, 0);
}

int ct_expo_namespaces(struct expo *e, struct ct_netns_reader *r)
{
	struct ct_netns_table t;
	uint64_t limit;
	bool has_limit;
	int err;

	if (!r)
		return expo_own_namespace(e);
	err = ct_netns_read(r, &t, -1);
	if (err) {
		log_warn("conntrack: cannot read the namespaces' statistics: %s", strerror(-err));
		return 0;
	}
	/* Global on every kernel so far: the daemon's own namespace shows it. */
	has_limit = !read_u64_file("/proc/sys/net/netfilter/nf_conntrack_max", &limit);
	for (size_t i = 0; !err && i < t.n; i++) {
		if (t.v[i].active)
			err = emit_one(e, t.v[i].inum, &t.v[i], has_limit ? &limit : NULL);
	}
	err = err ?: emit_over_limit(e, t.over_limit);
	ct_netns_table_free(&t);
	return err;
}
