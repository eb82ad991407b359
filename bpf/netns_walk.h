/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The namespace walker's query (bpf/netns_walk.bpf.c), shared with
 * daemon/netns_ids.c through the skeleton's .bss, and the walk's cursor
 * (bpf/lib/netns_walk.bpf.h).
 */
#ifndef SKBTRACE_NETNS_WALK_H
#define SKBTRACE_NETNS_WALK_H

#include "skbtrace.h"

/*
 * The query is an open-addressing hash table of ids: slot netns_query_hash(id),
 * then up to NETNS_QUERY_PROBES - 1 slots after it; id 0 marks an empty slot.
 * The daemon asks about at most NETNS_QUERY_MAX ids per run (half the
 * slots), and leaves an id it cannot place within the probes to the next.
 */
#define NETNS_QUERY_BITS 13
#define NETNS_QUERY_SLOTS (1 << NETNS_QUERY_BITS)
#define NETNS_QUERY_MAX (NETNS_QUERY_SLOTS / 2)
#define NETNS_QUERY_PROBES 8

static inline __u32 netns_query_hash(__u32 id)
{
	return (id * 0x9e3779b1u) >> (32 - NETNS_QUERY_BITS);
}

/*
 * Ring nodes a walk visits at most where the kernel has no bpf_loop()
 * (before 5.17): the bound of a plain loop, which the verifier checks
 * iteration by iteration, each a branch it must keep: it gives up beyond
 * 8,192 of them ("the sequence of jumps is too complex").
 */
#define NETNS_WALK_BOUNDED 4096

/* Where a walk is (bpf/lib/netns_walk.bpf.h). */
struct netns_cursor {
	__u64 start; /* list node of the daemon's namespace */
	__u64 pos;
};

struct netns_query_entry {
	__u32 id;   /* the probes' key (lib/netns.bpf.h) */
	__u32 inum; /* out: the namespace's inode, 0 when no live namespace has the id */
};

struct netns_query {
	__u32 by_cookie; /* out: ids are net cookies, not inodes */
	__u32 complete;	 /* out: the walk went all the way round the ring */
	__u32 found;	 /* out: live namespaces seen */
	__u32 pad;
	struct netns_query_entry v[NETNS_QUERY_SLOTS]; /* in: ids, inums 0 */
};

#endif /* SKBTRACE_NETNS_WALK_H */
