/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Eviction of the series of network namespaces that are gone: their keys
 * leave every probe's counter maps and their count cache slots are freed,
 * so that the room goes to live namespaces (docs/architecture.md).
 */
#ifndef SKBTRACE_NETNS_EVICT_H
#define SKBTRACE_NETNS_EVICT_H

#include <stdbool.h>
#include <stdint.h>
#include "probe.h"

struct netns_ids;

/* "Namespace id is dead": the predicate eviction applies to every key. */
typedef bool (*netns_dead_fn)(void *ctx, uint32_t id);

/*
 * Deletes from p's netns maps every key whose namespace dead() declares
 * gone, and frees their count cache slots on the CPUs that hold them.
 * Returns the number of series deleted, or a negative errno.
 */
int64_t netns_evict_probe(struct probe *p, netns_dead_fn dead, void *ctx);

/*
 * One sweep over every attached probe: reads the namespace ids their maps
 * hold, asks the walker which are alive, and evicts the rest.  The ids are
 * read before the walk, so a namespace born meanwhile is never evicted.
 * Afterwards `ids` labels the live ones.
 */
int netns_sweep(struct probe *probes, int n, struct netns_ids *ids);

#endif /* SKBTRACE_NETNS_EVICT_H */
