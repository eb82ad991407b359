// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which network namespaces are alive, and their inodes: the daemon writes
 * the namespace ids it found in the probes' maps into the query table, and
 * runs the program with BPF_PROG_TEST_RUN; a run walks the kernel's ring of
 * namespaces (lib/netns_walk.bpf.h) and writes the inode of every live
 * namespace whose id is asked for.  An id left without an inode after a
 * complete walk belongs to a namespace that is gone: the daemon evicts its
 * series (daemon/netns_evict.c).  The walk needs neither conntrack nor any
 * probe, and runs on one CPU: it reads nothing per CPU.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "netns_walk.h"
#include "lib/netns.bpf.h"
#include "lib/netns_walk.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Nodes one walk visits at most, the bound of bpf_loop(). */
const volatile __u32 max_steps = 1;

/* In .bss, which the daemon reads and writes through the skeleton's mmap. */
struct netns_query query = {};
struct netns_cursor cursor = {};

/* The entry for id; NULL when it is not asked for. */
static __always_inline struct netns_query_entry *query_find(__u32 id)
{
	__u32 h = netns_query_hash(id);

	for (__u32 k = 0; k < NETNS_QUERY_PROBES; k++) {
		struct netns_query_entry *e = &query.v[(h + k) & (NETNS_QUERY_SLOTS - 1)];

		if (e->id == id)
			return e;
		if (!e->id)
			return NULL;
	}
	return NULL;
}

/* One node of the ring; returns 1 to stop.  Global: verified once, not per iteration. */
__noinline int walk_step(__u32 i)
{
	struct netns_query_entry *e;
	struct net *net;
	int stop = netns_cursor_step(&cursor, i, &net, &query.complete);

	if (net) {
		query.found++;
		e = net_id(net) ? query_find(net_id(net)) : NULL;
		if (e)
			e->inum = net_inum(net);
	}
	return stop;
}

/* A bpf_loop() callback must return 0 or 1, which a global function's result is not known to be. */
static int loop_step(__u32 i, void *unused)
{
	return walk_step(i) ? 1 : 0;
}

static __always_inline bool walk_begin(void)
{
	query.by_cookie = netns_by_cookie && netns_has_cookie();
	query.complete = 0;
	query.found = 0;
	return netns_cursor_begin(&cursor);
}

SEC("raw_tp")
int netns_walk_loop(void *ctx)
{
	if (walk_begin())
		bpf_loop(max_steps, loop_step, NULL, 0);
	return 0;
}

/* Before bpf_loop() (5.17): a plain loop, bounded by a constant. */
SEC("raw_tp")
int netns_walk_bounded(void *ctx)
{
	if (!walk_begin())
		return 0;
	for (__u32 i = 0; i < NETNS_WALK_BOUNDED; i++) {
		if (walk_step(i))
			break;
	}
	return 0;
}
