/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the task iterator (bpf/netns_tasks.bpf.c) tells daemon/netns_info.c
 * about each network namespace: one of its tasks, and that task's cgroup.
 */
#ifndef SKBTRACE_NETNS_TASKS_H
#define SKBTRACE_NETNS_TASKS_H

#include "skbtrace.h"

/* Namespaces one run records at most; the daemon may lower it. */
#define NETNS_TASKS_MAX 65536

/* The value of map "netns_tasks", keyed by the namespace's id (lib/netns.bpf.h). */
struct netns_task {
	__u64 cgroup_id; /* cgroup v2 id: the inode of its directory; 0 when unknown */
	__u32 inum;	 /* the namespace's inode */
	__u32 pid;	 /* a task in it, for the log */
	__u32 kthread;	 /* the task is a kernel thread: any user task is preferred */
	__u32 pad;
};

#endif /* SKBTRACE_NETNS_TASKS_H */
