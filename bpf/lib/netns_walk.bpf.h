/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A walk over the kernel's ring of network namespaces (struct net.list),
 * for programs attached to nothing that the daemon runs with
 * BPF_PROG_TEST_RUN: the test run holds the RCU read lock, under which
 * for_each_net_rcu() walks the same ring.  Used by the namespace walker
 * (bpf/netns_walk.bpf.c: which namespaces are alive) and the conntrack
 * reader (bpf/conntrack_netns.bpf.c: their conntrack statistics).
 *
 * The walk starts at the daemon's own namespace, learnt on the first run,
 * which the daemon makes in its own context; that namespace lives as long
 * as the daemon.  The ring also holds its head, net_namespace_list, which
 * is not a namespace: a node is taken for one only when its loopback device
 * points back at it, as every live namespace's does.
 */
#ifndef SKBTRACE_NETNS_WALK_BPF_H
#define SKBTRACE_NETNS_WALK_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "../netns_walk.h"

/* The daemon's own struct net, where every walk starts and ends. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} netns_walk_origin SEC(".maps");

/* The daemon's struct net; 0 when it cannot be told. */
static __always_inline __u64 netns_walk_origin_net(void)
{
	__u32 zero = 0;
	__u64 *start = bpf_map_lookup_elem(&netns_walk_origin, &zero);
	struct task_struct *task;

	if (!start)
		return 0;
	if (!*start) {
		task = (void *)bpf_get_current_task();
		*start = (__u64)BPF_CORE_READ(task, nsproxy, net_ns);
	}
	return *start;
}

/* Puts the cursor at the daemon's namespace; false when it is not known. */
static __always_inline bool netns_cursor_begin(struct netns_cursor *c)
{
	__u64 net = netns_walk_origin_net();

	if (!net)
		return false;
	c->start = c->pos = net + bpf_core_field_offset(struct net, list);
	return true;
}

static __always_inline bool netns_node_is_net(struct net *net)
{
	struct net_device *lo = BPF_CORE_READ(net, loopback_dev);

	return lo && (void *)BPF_CORE_READ(lo, nd_net.net) == (void *)net;
}

/*
 * Step i of the walk: *net is the namespace at the cursor, NULL at the
 * list head.  Returns 1 when the walk ends, with *complete set when it went
 * all the way round; the caller visits *net either way.
 */
static __always_inline int netns_cursor_step(struct netns_cursor *c, __u32 i, struct net **net,
					     __u32 *complete)
{
	struct net *n;
	__u64 next = 0;

	*net = NULL;
	if (i && c->pos == c->start) {
		*complete = 1;
		return 1;
	}
	n = (void *)(c->pos - bpf_core_field_offset(struct net, list));
	if (netns_node_is_net(n))
		*net = n;
	if (bpf_probe_read_kernel(&next, sizeof(next), (void *)c->pos) || !next)
		return 1;
	c->pos = next;
	return 0;
}

#endif /* SKBTRACE_NETNS_WALK_BPF_H */
