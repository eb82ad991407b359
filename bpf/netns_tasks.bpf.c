// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One task of every network namespace, and its cgroup v2 id: a task
 * iterator that the daemon reads when it needs to name namespaces
 * (daemon/netns_info.c).  The daemon holds no CAP_SYS_PTRACE, so it cannot
 * read other processes' /proc/PID/ns/net; the kernel's own task list tells
 * the same.  A namespace keeps the first user task seen, or a kernel thread
 * when it has no user task.  The daemon empties the map after each read.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "netns_tasks.h"
#include "lib/netns.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD 0x00200000

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NETNS_TASKS_MAX);
	__type(key, __u32);
	__type(value, struct netns_task);
} netns_tasks SEC(".maps");

/* Out: the id of the initial namespace, where every kernel thread lives (init_nsproxy). */
__u32 host_id = 0;

static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);

	/* kernfs_node.id is the u64 inode number since 5.5; before, a union. */
	if (!kn || bpf_core_field_size(kn->id) != sizeof(__u64))
		return 0;
	return BPF_CORE_READ(kn, id);
}

SEC("iter/task")
int netns_tasks_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct netns_task v = {}, *old;
	struct net *net;
	__u32 id;

	if (!task)
		return 0;
	net = BPF_CORE_READ(task, nsproxy, net_ns);
	id = net_id(net);
	if (!id)
		return 0; /* an exiting task, without nsproxy */
	v.pid = BPF_CORE_READ(task, pid);
	v.kthread = !!(BPF_CORE_READ(task, flags) & PF_KTHREAD);
	if (v.kthread)
		host_id = id;
	old = bpf_map_lookup_elem(&netns_tasks, &id);
	if (old && (!old->kthread || v.kthread))
		return 0;
	v.inum = net_inum(net);
	v.cgroup_id = task_cgroup_id(task);
	bpf_map_update_elem(&netns_tasks, &id, &v, BPF_ANY);
	return 0;
}
