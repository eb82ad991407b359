// SPDX-License-Identifier: GPL-2.0
/* The probes the daemon knows.  A new probe adds one line to probes/probe_list.h. */
#include <errno.h>
#include <string.h>
#include "probe.h"

#define PROBE(name) extern const struct probe_ops name##_probe_ops;
#include "probes/probe_list.h"
#undef PROBE

static const struct probe_ops *const all_probes[] = {
#define PROBE(name) &name##_probe_ops,
#include "probes/probe_list.h"
#undef PROBE
};

const struct probe_ops *const *probe_ops_all(size_t *n)
{
	*n = sizeof(all_probes) / sizeof(all_probes[0]);
	return all_probes;
}

const struct probe_ops *probe_ops_find(const char *name)
{
	for (size_t i = 0; i < sizeof(all_probes) / sizeof(all_probes[0]); i++) {
		if (!strcmp(all_probes[i]->name, name))
			return all_probes[i];
	}
	return NULL;
}

int probe_lookup_for_config(const char *name, unsigned int *filter_mask)
{
	const struct probe_ops *ops = probe_ops_find(name);

	if (!ops)
		return -ENOENT;
	*filter_mask = ops->filter_mask;
	return 0;
}
