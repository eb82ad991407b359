/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which network namespaces are alive, by the id the probes key their
 * series with (bpf/lib/netns.bpf.h), and the inode each id stands for:
 * answered by the namespace walker (bpf/netns_walk.bpf.c) for the ids the
 * daemon asks about.
 */
#ifndef SKBTRACE_NETNS_IDS_H
#define SKBTRACE_NETNS_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netns_ids;

/* Loads the walker; on failure err says why and the daemon keys by inode. */
int netns_ids_open(struct netns_ids **out, char *err, size_t errlen);
void netns_ids_free(struct netns_ids *t);

/* Ids are the low 32 bits of net cookies (5.12+), else inodes.  False for NULL. */
bool netns_ids_by_cookie(const struct netns_ids *t);

/*
 * Asks about ids[0..n-1] (any order, duplicates allowed): afterwards each is
 * either alive, with its inode, or dead.  An id is dead only if a complete
 * walk of the kernel's namespaces missed it; ids are asked about after they
 * were read from the maps, so a namespace created meanwhile is never taken
 * for a dead one.  An incomplete walk (beyond NETNS_WALK_BOUNDED namespaces
 * before 5.17) declares nothing dead.
 */
int netns_ids_refresh(struct netns_ids *t, const uint32_t *ids, size_t n);

/* Whether the last refresh found id's namespace gone: "namespace X is dead". */
bool netns_ids_dead(const struct netns_ids *t, uint32_t id);

/*
 * The netns label of id: the namespace's inode, "unknown" for 0 (an event
 * without a namespace) or when an incomplete walk could not tell.  An id
 * unknown since the last refresh is looked up with one more walk.  Returns
 * -ENOENT for a namespace that is gone: its series are about to be evicted
 * and are left out.
 */
int netns_ids_label(struct netns_ids *t, uint32_t id, char *buf, size_t len);

#endif /* SKBTRACE_NETNS_IDS_H */
